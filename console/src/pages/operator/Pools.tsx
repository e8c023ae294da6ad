import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Progress,
  Space,
  Table,
  Tag,
} from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api } from '../../api';
import { useApi } from '../../components/useApi';
import { FormModal } from '../../components/FormModal';
import { useFormSubmit } from '../../components/useFormSubmit';
import { useI18n } from '../../i18n';
import { CAPACITY_DIMENSIONS, type Capacity } from '../../shared';

export interface Pool {
  id: string;
  name: string;
  type: string;
  tier: 'provider' | 'self-managed';
  enabled: boolean;
  capacity: Capacity;
  allocated: Capacity;
  remaining: Capacity;
}

interface CapacityForm {
  amounts: Partial<Capacity>;
  reason: string;
}

/** Raises a pool's capacity (e.g. a closed server room's equipment joining it), with the reason audited. */
function AddCapacity({ pool, onDone }: { pool: Pool; onDone(added: boolean): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<CapacityForm>();
  const submitting = useFormSubmit(form, async (body) => {
    await api(`/pools/${pool.id}/capacity`, { method: 'POST', body });
    onDone(true);
  });
  return (
    <FormModal
      title={t('pools.addTitle', { name: pool.name })}
      form={form}
      submitting={submitting}
      onCancel={() => onDone(false)}
    >
      {CAPACITY_DIMENSIONS.map((d) => (
        <Form.Item key={d} name={['amounts', d]} label={t(`quota.dimension.${d}`)}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      ))}
      <Form.Item
        name="reason"
        label={t('pools.reason')}
        rules={[{ required: true, whitespace: true, message: t('pools.reasonRequired') }]}
      >
        <Input.TextArea rows={2} maxLength={500} placeholder={t('pools.reasonHint')} />
      </Form.Item>
    </FormModal>
  );
}

export interface ReconcileEvent {
  id: string;
  action: 'recreated' | 'redriven' | 'orphan' | 'capacity-drift' | 'error';
  resourceId: string | null;
  objectName: string | null;
  detail: string | null;
  occurredAt: string;
}

const ACTION_COLORS: Record<ReconcileEvent['action'], string> = {
  recreated: 'blue',
  redriven: 'gold',
  orphan: 'red',
  'capacity-drift': 'magenta',
  error: 'volcano',
};
const SHOWN_EVENTS = 100;

/** What the reconciler found and did on a pool, newest first: orphans to look into, above all. */
function ReconcileLog({ pool, onClose }: { pool: Pool; onClose(): void }) {
  const { t, time } = useI18n();
  const events = useApi<{ items: ReconcileEvent[]; total: number }>(
    `/pools/${pool.id}/reconcile-events?limit=${SHOWN_EVENTS}`,
  );
  return (
    <Drawer open onClose={onClose} size="large" title={t('pools.reconcileTitle', { name: pool.name })}>
      {events.error && <Alert type="error" showIcon title={events.error} />}
      <Table<ReconcileEvent>
        rowKey="id"
        size="small"
        loading={!events.data && !events.error}
        dataSource={events.data?.items ?? []}
        pagination={false}
        footer={() =>
          t('pools.reconcileShown', { shown: events.data?.items.length ?? 0, total: events.data?.total ?? 0 })
        }
        columns={[
          {
            title: t('pools.reconcileAt'),
            dataIndex: 'occurredAt',
            key: 'at',
            render: (at: string) => time(at),
          },
          {
            title: t('pools.reconcileAction'),
            dataIndex: 'action',
            key: 'action',
            render: (action: ReconcileEvent['action']) => (
              <Tag color={ACTION_COLORS[action]}>{t(`pools.reconcile.${action}`)}</Tag>
            ),
          },
          {
            title: t('pools.reconcileSubject'),
            key: 'subject',
            render: (_, e) => e.objectName ?? e.resourceId ?? '—',
          },
          { title: t('pools.reconcileDetail'), dataIndex: 'detail', key: 'detail' },
        ]}
      />
    </Drawer>
  );
}

/** The cloud's pools with what each holds: capacity, allocated and left, per dimension. */
export function Pools() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const pools = useApi<Pool[]>('/pools');
  const [adding, setAdding] = useState<Pool | null>(null);
  const [inspecting, setInspecting] = useState<Pool | null>(null);

  const columns: ColumnsType<Pool> = [
    { title: t('common.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('pools.kind'),
      key: 'kind',
      render: (_, p) => (
        <Space size={4}>
          <Tag>{p.type}</Tag>
          <Tag color={p.tier === 'self-managed' ? 'blue' : 'default'}>{t(`pools.tier.${p.tier}`)}</Tag>
          {!p.enabled && <Tag color="red">{t('pools.disabled')}</Tag>}
        </Space>
      ),
    },
    ...CAPACITY_DIMENSIONS.map((d) => ({
      title: t(`quota.dimension.${d}`),
      key: d,
      width: 170,
      render: (_: unknown, p: Pool) => (
        <span data-dimension={d}>
          {t('pools.usage', { allocated: p.allocated[d] ?? 0, capacity: p.capacity[d] ?? 0 })}
          <Progress
            size="small"
            showInfo={false}
            percent={p.capacity[d] ? Math.round(((p.allocated[d] ?? 0) / p.capacity[d]) * 100) : 0}
          />
        </span>
      ),
    })),
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, p) => (
        <Space size={4}>
          <Button size="small" onClick={() => setAdding(p)}>
            {t('pools.add')}
          </Button>
          <Button size="small" onClick={() => setInspecting(p)}>
            {t('pools.reconcile')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t('pools.title')}
      extra={<Button onClick={() => void pools.reload()}>{t('common.refresh')}</Button>}
    >
      {pools.error && <Alert type="error" showIcon title={pools.error} style={{ marginBottom: 16 }} />}
      <Table<Pool>
        rowKey="id"
        columns={columns}
        dataSource={pools.data ?? []}
        loading={!pools.data && !pools.error}
        scroll={{ x: 'max-content' }}
        pagination={{ defaultPageSize: 20, showTotal: (total) => t('common.total', { total }) }}
      />
      {inspecting && <ReconcileLog pool={inspecting} onClose={() => setInspecting(null)} />}
      {adding && (
        <AddCapacity
          pool={adding}
          onDone={(added) => {
            if (added) message.success(t('pools.added', { name: adding.name }));
            setAdding(null);
            void pools.reload();
          }}
        />
      )}
    </Card>
  );
}
