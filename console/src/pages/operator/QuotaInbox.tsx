import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api } from '../../api';
import { DepartmentFilter, useDepartments } from '../../components/departments';
import { FilterSelect } from '../../components/FilterSelect';
import { ListTable } from '../../components/ListTable';
import { QuotaTable } from '../../components/QuotaTable';
import { useApi } from '../../components/useApi';
import { FormModal } from '../../components/FormModal';
import { useFormSubmit } from '../../components/useFormSubmit';
import { useList } from '../../components/useList';
import { useI18n } from '../../i18n';
import { QUOTA_DIMENSIONS, type QuotaAmounts, type QuotaView } from '../../shared';
import {
  limitsText,
  QUOTA_REQUEST_STATES,
  QuotaRequestStateTag,
  type QuotaRequest,
  type QuotaRequestState,
} from '../dept/QuotaRequests';

interface ApproveForm {
  limits: Partial<Record<keyof QuotaAmounts, number | null>>;
  comment?: string;
}

/**
 * What an approval sends: the limits the operator left filled in (a cleared dimension is not granted),
 * or none at all when every asked limit is granted as asked — an approval in full.
 */
export function approvalBody(request: QuotaRequest, values: ApproveForm) {
  const asked = QUOTA_DIMENSIONS.filter((d) => request.limits[d] !== undefined);
  const granted = Object.fromEntries(
    asked.filter((d) => typeof values.limits?.[d] === 'number').map((d) => [d, values.limits[d]]),
  ) as Partial<QuotaAmounts>;
  const inFull = asked.every((d) => granted[d] === request.limits[d]);
  return { ...(inFull ? {} : { limits: granted }), comment: values.comment?.trim() || undefined };
}

interface Decision {
  request: QuotaRequest;
  /** The department's name, for the dialog's title. */
  department: string;
  onDone(decided: boolean): void;
}

/** Approve in full or in part: each asked limit, lowered or cleared, beside the department's quota now. */
function Approve({ request, department, onDone }: Decision) {
  const { t } = useI18n();
  const [form] = Form.useForm<ApproveForm>();
  const quota = useApi<QuotaView>(`/departments/${request.departmentId}/quota`);
  const submitting = useFormSubmit(form, async (values) => {
    await api(`/quota-requests/${request.id}/approve`, {
      method: 'POST',
      body: approvalBody(request, values),
    });
    onDone(true);
  });
  return (
    <FormModal
      title={t('approvals.approveTitle', { department })}
      okText={t('approvals.approve')}
      width={720}
      form={form}
      submitting={submitting}
      initialValues={{ limits: request.limits }}
      onCancel={() => onDone(false)}
      before={
        <>
          <Typography.Paragraph>
            {t('approvals.reasonGiven')}
            {request.reason}
          </Typography.Paragraph>
          {quota.data && <QuotaTable quota={quota.data} />}
          <Alert type="info" showIcon title={t('approvals.partialHint')} style={{ margin: '16px 0' }} />
        </>
      }
    >
      {QUOTA_DIMENSIONS.filter((d) => request.limits[d] !== undefined).map((d) => (
        <Form.Item
          key={d}
          name={['limits', d]}
          label={t(`quota.dimension.${d}`)}
          extra={t('approvals.askedValue', { value: request.limits[d]! })}
        >
          <InputNumber min={0} max={request.limits[d]} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      ))}
      <Form.Item name="comment" label={t('approvals.comment')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
    </FormModal>
  );
}

/** Reject with a reason, which the requester reads. */
function Reject({ request, department, onDone }: Decision) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const submitting = useFormSubmit(form, async (body) => {
    await api(`/quota-requests/${request.id}/reject`, { method: 'POST', body });
    onDone(true);
  });
  return (
    <FormModal
      title={t('approvals.rejectTitle', { department })}
      okText={t('approvals.reject')}
      danger
      form={form}
      submitting={submitting}
      onCancel={() => onDone(false)}
    >
      <Form.Item
        name="reason"
        label={t('approvals.rejectReason')}
        rules={[{ required: true, whitespace: true, message: t('approvals.rejectReasonRequired') }]}
      >
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </FormModal>
  );
}

/** The operators' inbox of quota requests: pending first, approve (in full or in part) or reject. */
export function QuotaInbox() {
  const { t, time } = useI18n();
  const { message } = App.useApp();
  const { nameOf } = useDepartments();
  const [filters, setFilters] = useState<{ state?: QuotaRequestState; departmentId?: string }>({
    state: 'pending',
  });
  const [deciding, setDeciding] = useState<{ request: QuotaRequest; approve: boolean } | null>(null);
  const list = useList<QuotaRequest>('/quota-requests', { ...filters }, 10_000);

  const columns: ColumnsType<QuotaRequest> = [
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      render: (at: string) => time(at),
    },
    { title: t('approvals.department'), dataIndex: 'departmentId', render: (id: string) => nameOf(id) },
    { title: t('quotaRequests.asked'), key: 'limits', render: (_, r) => limitsText(t, r.limits) },
    { title: t('quotaRequests.reason'), dataIndex: 'reason' },
    {
      title: t('quotaRequests.state'),
      dataIndex: 'state',
      render: (s: QuotaRequestState) => <QuotaRequestStateTag state={s} />,
    },
    {
      title: t('quotaRequests.granted'),
      key: 'granted',
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          {limitsText(t, r.approvedLimits)}
          {r.decisionComment && <Typography.Text type="secondary">{r.decisionComment}</Typography.Text>}
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, r) =>
        r.state === 'pending' && (
          <Space>
            <Button size="small" type="primary" onClick={() => setDeciding({ request: r, approve: true })}>
              {t('approvals.approve')}
            </Button>
            <Button size="small" danger onClick={() => setDeciding({ request: r, approve: false })}>
              {t('approvals.reject')}
            </Button>
          </Space>
        ),
    },
  ];

  const done = (decided: boolean) => {
    if (decided) message.success(t(deciding?.approve ? 'approvals.approved' : 'approvals.rejected'));
    setDeciding(null);
    void list.reload();
  };

  const decision = (request: QuotaRequest): Decision => ({
    request,
    department: nameOf(request.departmentId),
    onDone: done,
  });

  return (
    <Card title={t('approvals.title')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <FilterSelect<QuotaRequestState>
          label={t('quotaRequests.state')}
          value={filters.state}
          onChange={(state) => setFilters((f) => ({ ...f, state }))}
          options={QUOTA_REQUEST_STATES.map((s) => ({ value: s, label: t(`quotaRequest.state.${s}`) }))}
        />
        <DepartmentFilter
          label={t('approvals.department')}
          value={filters.departmentId}
          onChange={(departmentId) => setFilters((f) => ({ ...f, departmentId }))}
        />
        <Button onClick={() => void list.reload()}>{t('common.refresh')}</Button>
      </Space>
      <ListTable list={list} columns={columns} />
      {deciding &&
        (deciding.approve ? (
          <Approve {...decision(deciding.request)} />
        ) : (
          <Reject {...decision(deciding.request)} />
        ))}
    </Card>
  );
}
