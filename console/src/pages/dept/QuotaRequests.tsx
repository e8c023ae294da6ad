import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Space, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { api, showFieldErrors } from '../../api';
import { useAuth } from '../../auth';
import { FilterSelect } from '../../components/FilterSelect';
import { QuotaTable } from '../../components/QuotaTable';
import { useApi } from '../../components/useApi';
import { ListTable } from '../../components/ListTable';
import { useList } from '../../components/useList';
import { useI18n, type Translate } from '../../i18n';
import { QUOTA_DIMENSIONS, type QuotaAmounts, type QuotaView } from '../../shared';

// As src/modules/quota/entities/quota-request.entity.ts (which the console cannot import: TypeORM).
export const QUOTA_REQUEST_STATES = ['pending', 'approved', 'rejected'] as const;
export type QuotaRequestState = (typeof QUOTA_REQUEST_STATES)[number];

export interface QuotaRequest {
  id: string;
  departmentId: string;
  limits: Partial<QuotaAmounts>;
  reason: string;
  state: QuotaRequestState;
  requestedBy: string;
  approvedLimits: Partial<QuotaAmounts> | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  createdAt: string;
}

const STATE_COLORS: Record<QuotaRequestState, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
};

/** "vCPU 16 · 内存 64 GiB …": the dimensions a request names, in the fixed order. */
export function limitsText(t: Translate, limits: Partial<QuotaAmounts> | null): string {
  if (!limits) return '';
  return QUOTA_DIMENSIONS.filter((d) => limits[d] !== undefined)
    .map((d) => `${t(`quota.dimension.${d}`)} ${limits[d]}`)
    .join(' · ');
}

export function QuotaRequestStateTag({ state }: { state: QuotaRequestState }) {
  const { t } = useI18n();
  return <Tag color={STATE_COLORS[state]}>{t(`quotaRequest.state.${state}`)}</Tag>;
}

interface AskForm {
  limits: QuotaAmounts;
  reason: string;
}

/** The department's quota and its requests for more: ask (new absolute limits, with a reason) and follow. */
export function QuotaRequests() {
  const { t, time } = useI18n();
  const { user } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm<AskForm>();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<QuotaRequestState>();
  const quota = useApi<QuotaView>(user?.departmentId ? `/departments/${user.departmentId}/quota` : null);
  const list = useList<QuotaRequest>('/quota-requests', { state }, 10_000);

  const open = () => {
    form.resetFields();
    if (quota.data) form.setFieldsValue({ limits: quota.data.limits });
    setError(null);
    setAsking(true);
  };

  const submit = async (values: AskForm) => {
    setBusy(true);
    setError(null);
    try {
      await api('/quota-requests', {
        method: 'POST',
        body: { departmentId: user?.departmentId, ...values },
      });
      message.success(t('quotaRequests.submitted'));
      setAsking(false);
      await list.reload();
    } catch (err) {
      setError(showFieldErrors(form, err));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<QuotaRequest> = [
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      render: (at: string) => time(at),
    },
    { title: t('quotaRequests.asked'), key: 'limits', render: (_, r) => limitsText(t, r.limits) },
    { title: t('quotaRequests.reason'), dataIndex: 'reason' },
    {
      title: t('quotaRequests.state'),
      dataIndex: 'state',
      render: (s: QuotaRequestState) => <QuotaRequestStateTag state={s} />,
    },
    { title: t('quotaRequests.granted'), key: 'granted', render: (_, r) => limitsText(t, r.approvedLimits) },
    { title: t('quotaRequests.comment'), dataIndex: 'decisionComment' },
  ];

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={t('quotaRequests.current')}
        extra={
          <Button type="primary" onClick={open} disabled={!quota.data}>
            {t('quotaRequests.ask')}
          </Button>
        }
      >
        {quota.error && <Alert type="error" showIcon title={quota.error} />}
        {quota.data && <QuotaTable quota={quota.data} />}
      </Card>
      <Card title={t('quotaRequests.title')}>
        <Space wrap style={{ marginBottom: 16 }}>
          <FilterSelect<QuotaRequestState>
            label={t('quotaRequests.state')}
            value={state}
            onChange={setState}
            options={QUOTA_REQUEST_STATES.map((s) => ({ value: s, label: t(`quotaRequest.state.${s}`) }))}
          />
        </Space>
        <ListTable list={list} columns={columns} />
      </Card>
      <Modal
        open={asking}
        title={t('quotaRequests.ask')}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setAsking(false)}
        forceRender
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Alert type="info" title={t('quotaRequests.absolute')} style={{ marginBottom: 16 }} />
          {QUOTA_DIMENSIONS.map((d) => (
            <Form.Item
              key={d}
              name={['limits', d]}
              label={t(`quota.dimension.${d}`)}
              rules={[{ required: true }]}
            >
              <InputNumber min={0} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          ))}
          <Form.Item name="reason" label={t('quotaRequests.reason')} rules={[{ required: true, max: 2000 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
