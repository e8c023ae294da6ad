import { Alert, App, Button, Card, Form, Input, Space, Spin, Table, Tag } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, showFieldErrors } from '../../api';
import { formatMoney } from '../../components/money';
import { useApi } from '../../components/useApi';
import { useMayWrite } from '../../components/useMayWrite';
import { useI18n } from '../../i18n';

export type RebillState = 'draft' | 'finalized';

/** A run as GET /rebills lists it and POST /rebills answers it (money as decimal strings). */
export interface RebillSummary {
  id: string;
  period: string;
  state: RebillState;
  computedUntil: string;
  computedAt: string;
  finalizedAt: string | null;
  total: string;
}

/** The roles the API lets compute and finalise runs (and set budgets); others only read. */
export const BILLING_WRITERS = ['operator', 'finance'] as const;

/** The month before the current one, the usual month to bill. */
function lastMonth(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return month.toISOString().slice(0, 7);
}

export function RebillStateTag({ state }: { state: RebillState }) {
  const { t } = useI18n();
  return (
    <Tag color={state === 'finalized' ? 'success' : 'processing'} data-state={state}>
      {t(`rebill.state.${state}`)}
    </Tag>
  );
}

/**
 * Shows a long computation running: the API computes a month inside one request, which can take a
 * while for a big city, so the screen says what it is doing and for how long.
 */
export function useComputation() {
  const [running, setRunning] = useState<{ period: string; since: number } | null>(null);
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!running) return;
    setSeconds(0);
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - running.since) / 1000)), 1000);
    return () => clearInterval(timer);
  }, [running]);
  const compute = useCallback(async (period: string) => {
    setRunning({ period, since: Date.now() });
    try {
      return await api<RebillSummary>('/rebills', { method: 'POST', body: { period } });
    } finally {
      setRunning(null);
    }
  }, []);
  return { running, seconds, compute };
}

export function ComputationProgress({ running, seconds }: ReturnType<typeof useComputation>) {
  const { t } = useI18n();
  if (!running) return null;
  return (
    <Alert
      role="status"
      type="info"
      showIcon
      icon={<Spin size="small" />}
      title={t('rebills.computing', { period: running.period, seconds })}
      style={{ marginBottom: 16 }}
    />
  );
}

/** The monthly rebill runs: compute a month (finance, operators), open a run. */
export function Rebills() {
  const { t, time } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const mayRun = useMayWrite(BILLING_WRITERS);
  const [form] = Form.useForm<{ period: string }>();
  const runs = useApi<RebillSummary[]>('/rebills');
  const [error, setError] = useState<string | null>(null);
  const computation = useComputation();

  const submit = async ({ period }: { period: string }) => {
    setError(null);
    try {
      const run = await computation.compute(period);
      message.success(t('rebills.computed', { period: run.period, total: formatMoney(run.total) }));
      await navigate(`/rebills/${run.id}`);
    } catch (err) {
      setError(showFieldErrors(form, err));
    }
  };

  const columns: ColumnsType<RebillSummary> = [
    {
      title: t('rebill.period'),
      dataIndex: 'period',
      key: 'period',
      render: (period: string, run) => <Link to={`/rebills/${run.id}`}>{period}</Link>,
    },
    {
      title: t('rebill.state'),
      dataIndex: 'state',
      key: 'state',
      render: (state: RebillState) => <RebillStateTag state={state} />,
    },
    {
      title: t('rebill.total'),
      dataIndex: 'total',
      key: 'total',
      align: 'right',
      render: (total: string) => formatMoney(total),
    },
    {
      title: t('rebill.computedAt'),
      dataIndex: 'computedAt',
      key: 'computedAt',
      render: (at: string) => time(at),
    },
    {
      title: t('rebill.finalizedAt'),
      dataIndex: 'finalizedAt',
      key: 'finalizedAt',
      render: (at: string | null) => time(at),
    },
  ];

  return (
    <Card title={t('rebills.title')}>
      {mayRun && (
        <Form
          form={form}
          layout="inline"
          initialValues={{ period: lastMonth() }}
          onFinish={submit}
          style={{ marginBottom: 16 }}
        >
          <Form.Item
            name="period"
            label={t('rebill.period')}
            rules={[
              { required: true, pattern: /^\d{4}-(0[1-9]|1[0-2])$/, message: t('rebills.periodFormat') },
            ]}
          >
            <Input placeholder="YYYY-MM" style={{ width: 140 }} disabled={computation.running !== null} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={computation.running !== null}>
              {t('rebills.compute')}
            </Button>
          </Form.Item>
        </Form>
      )}
      <ComputationProgress {...computation} />
      {(error ?? runs.error) && (
        <Alert type="error" showIcon title={error ?? runs.error} style={{ marginBottom: 16 }} />
      )}
      <Space style={{ marginBottom: 16 }}>
        <Button onClick={() => void runs.reload()}>{t('common.refresh')}</Button>
      </Space>
      <Table<RebillSummary>
        rowKey="id"
        columns={columns}
        dataSource={runs.data ?? []}
        loading={runs.data === null && !runs.error}
        pagination={{ pageSize: 24 }}
      />
    </Card>
  );
}
