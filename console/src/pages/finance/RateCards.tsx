import { Alert, App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, showFieldErrors } from '../../api';
import { FilterSelect } from '../../components/FilterSelect';
import { useApi } from '../../components/useApi';
import { useMayWrite } from '../../components/useMayWrite';
import { storageTierLabel, useI18n, type MessageKey } from '../../i18n';
import { BILLING_WRITERS } from './Rebills';

const PRICES = ['vcpuHour', 'memoryGiBHour', 'gpuHour', 'publicIpMonth', 'rackUnitMonth'] as const;
type Price = (typeof PRICES)[number];

/** A rate card as the API answers it: unit prices in CNY as decimal strings. */
export interface RateCard {
  id: string;
  poolId: string;
  name: string;
  tenderRef: string | null;
  effectiveFrom: string;
  prices: Record<Price, string> & { storageGiBMonth: Record<string, string> };
  storageBilling: 'exists' | 'running';
  locked: boolean;
}

interface Pool {
  id: string;
  name: string;
}

type CardForm = Omit<RateCard, 'id' | 'locked' | 'tenderRef'> & { tenderRef?: string };

const priceLabel = (price: Price | 'storageGiBMonth'): MessageKey => `rateCards.price.${price}`;

/** The tender prices per pool and date that rebills bill at; finance adds them, everyone reads. */
export function RateCards() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const mayWrite = useMayWrite(BILLING_WRITERS);
  const [form] = Form.useForm<CardForm>();
  const [pools, setPools] = useState<Pool[]>([]);
  const [poolId, setPoolId] = useState<string | undefined>();
  const cards = useApi<RateCard[]>(poolId ? `/rate-cards?poolId=${poolId}` : '/rate-cards');
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    api<Pool[]>('/pools').then(setPools, () => setPools([]));
  }, []);
  const poolName = useMemo(() => new Map(pools.map((p) => [p.id, p.name])), [pools]);

  const create = async (values: CardForm) => {
    setFormError(null);
    try {
      await api('/rate-cards', {
        method: 'POST',
        body: { ...values, tenderRef: values.tenderRef || undefined },
      });
      message.success(t('rateCards.created', { name: values.name }));
      form.resetFields();
      await cards.reload();
    } catch (err) {
      setFormError(showFieldErrors(form, err));
    }
  };
  const remove = async (card: RateCard) => {
    try {
      await api(`/rate-cards/${card.id}`, { method: 'DELETE' });
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
    await cards.reload();
  };

  const columns: ColumnsType<RateCard> = [
    { title: t('rateCards.pool'), key: 'pool', render: (_, c) => poolName.get(c.poolId) ?? c.poolId },
    { title: t('common.name'), dataIndex: 'name', key: 'name' },
    { title: t('rateCards.tenderRef'), dataIndex: 'tenderRef', key: 'tenderRef' },
    { title: t('rateCards.effectiveFrom'), dataIndex: 'effectiveFrom', key: 'effectiveFrom' },
    ...PRICES.map((price) => ({
      title: t(priceLabel(price)),
      key: price,
      align: 'right' as const,
      render: (_: unknown, c: RateCard) => c.prices[price],
    })),
    {
      title: t(priceLabel('storageGiBMonth')),
      key: 'storage',
      render: (_, c) =>
        Object.entries(c.prices.storageGiBMonth)
          .map(([tier, price]) => t('rateCards.tierPrice', { tier: storageTierLabel(t, tier), price }))
          .join(' · '),
    },
    {
      title: t('rateCards.locked'),
      key: 'locked',
      render: (_, c) => (c.locked ? <Tag color="default">{t('rateCards.locked')}</Tag> : null),
    },
  ];
  if (mayWrite)
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, c) =>
        c.locked ? null : (
          <Popconfirm
            title={t('rateCards.deleteConfirm', { name: c.name })}
            okText={t('common.confirm')}
            cancelText={t('common.cancel')}
            onConfirm={() => remove(c)}
          >
            <Button size="small" danger>
              {t('rateCards.delete')}
            </Button>
          </Popconfirm>
        ),
    });

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('rateCards.title')}>
        <Space style={{ marginBottom: 16 }}>
          <FilterSelect
            label={t('rateCards.pool')}
            value={poolId}
            onChange={setPoolId}
            options={pools.map((p) => ({ value: p.id, label: p.name }))}
            width={240}
          />
        </Space>
        {cards.error && <Alert type="error" showIcon title={cards.error} style={{ marginBottom: 16 }} />}
        <Table<RateCard>
          rowKey="id"
          size="small"
          loading={cards.data === null && !cards.error}
          columns={columns}
          dataSource={cards.data ?? []}
          scroll={{ x: 'max-content' }}
        />
      </Card>
      {mayWrite && (
        <Card title={t('rateCards.add')}>
          {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} />}
          <Form
            form={form}
            layout="vertical"
            initialValues={{ storageBilling: 'exists' }}
            onFinish={create}
            style={{ display: 'grid', gridTemplateColumns: 'repeat(4, 1fr)', columnGap: 16 }}
          >
            <Form.Item name="poolId" label={t('rateCards.pool')} rules={[{ required: true }]}>
              <Select options={pools.map((p) => ({ value: p.id, label: p.name }))} />
            </Form.Item>
            <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
            <Form.Item name="tenderRef" label={t('rateCards.tenderRef')}>
              <Input />
            </Form.Item>
            <Form.Item name="effectiveFrom" label={t('rateCards.effectiveFrom')} rules={[{ required: true }]}>
              <Input placeholder="YYYY-MM-DD" />
            </Form.Item>
            {PRICES.map((price) => (
              <Form.Item
                key={price}
                name={['prices', price]}
                label={t(priceLabel(price))}
                rules={[{ required: true }]}
              >
                <Input placeholder="0.00" />
              </Form.Item>
            ))}
            <Form.Item
              name={['prices', 'storageGiBMonth', 'standard']}
              label={t('rateCards.price.storageStandard')}
              rules={[{ required: true }]}
            >
              <Input placeholder="0.00" />
            </Form.Item>
            <Form.Item name="storageBilling" label={t('rateCards.storageBilling')}>
              <Select
                options={(['exists', 'running'] as const).map((v) => ({
                  value: v,
                  label: t(`rateCards.storageBilling.${v}`),
                }))}
              />
            </Form.Item>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit">
                {t('rateCards.add')}
              </Button>
            </Form.Item>
          </Form>
        </Card>
      )}
    </Space>
  );
}
