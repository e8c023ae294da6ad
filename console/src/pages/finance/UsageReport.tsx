import { Alert, Button, Card, Form, Input, Spin, Table, Tag } from 'antd';
import type { EChartsOption } from 'echarts';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, showFieldErrors } from '../../api';
import { Chart } from '../../components/Chart';
import { DepartmentFilter, useReportDepartmentNames, withNames } from '../../components/departments';
import { formatMoney, sumMoney } from '../../components/money';
import { useDepartmentSearch } from '../../components/useDepartmentSearch';
import { useLatest } from '../../components/useLatest';
import { useI18n, type MessageKey } from '../../i18n';
import type { Basis, MonthTotal, UsageRow } from '../../shared';
import { DownloadButtons, moneyPoint, moneyTooltip } from './parts';

interface UsageReportData {
  from: string;
  to: string;
  rows: UsageRow[];
  totals: MonthTotal[];
}

interface Filters {
  from: string;
  to: string;
  departmentId?: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const thisYear = () => new Date().toISOString().slice(0, 4);

export const dimensionLabel = (dimension: string): MessageKey =>
  `rebill.dimension.${dimension}` as MessageKey;

export function BasisTag({ basis }: { basis: Basis }) {
  const { t } = useI18n();
  return <Tag color={basis === 'chargeback' ? 'success' : 'default'}>{t(`usage.basis.${basis}`)}</Tag>;
}

/**
 * A bar per month, stacked by dimension; the tooltip prints the exact amounts.
 */
function chartOf(report: UsageReportData, t: (key: MessageKey) => string): EChartsOption {
  const months = report.totals.map((m) => m.month);
  const dimensions = [...new Set(report.rows.map((r) => r.dimension))];
  return {
    // Drawn at once: screenshots and prints show the bars, not their growth.
    animation: false,
    tooltip: moneyTooltip,
    legend: { top: 0 },
    grid: { left: 80, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', name: t('usage.amount') },
    series: dimensions.map((dimension) => ({
      type: 'bar',
      stack: 'amount',
      name: t(dimensionLabel(dimension)),
      data: months.map((month) =>
        moneyPoint(
          sumMoney(
            report.rows.filter((r) => r.month === month && r.dimension === dimension).map((r) => r.amount),
          ),
        ),
      ),
    })),
  };
}

/** Usage and cost per department and month (chargeback or showback), charted, and as CSV/XLSX. */
export function UsageReport() {
  const { t, time } = useI18n();
  const [form] = Form.useForm<Filters>();
  // This year so far, until the user asks for other months.
  const [initial] = useState<Filters>(() => ({
    from: `${thisYear()}-01`,
    to: new Date().toISOString().slice(0, 7),
  }));
  const [filters, setFilters] = useState<Filters>(initial);
  const [report, setReport] = useState<UsageReportData | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const begin = useLatest();
  const load = useCallback(
    async (query: Filters) => {
      const current = begin();
      setLoading(true);
      setError(null);
      try {
        const answer = await api<UsageReportData>('/reports/usage', { query: { ...query } });
        if (!current()) return;
        setReport(answer);
        setFilters(query);
      } catch (err) {
        if (current()) setError(showFieldErrors(form, err));
      } finally {
        if (current()) setLoading(false);
      }
    },
    [form, begin],
  );
  useEffect(() => void load(initial), [load, initial]);

  const option = useMemo(() => (report ? chartOf(report, t) : null), [report, t]);
  const nameOf = useReportDepartmentNames();
  const departments = useMemo(() => {
    const byDepartment = new Map<string, UsageRow[]>();
    for (const row of report?.rows ?? [])
      byDepartment.set(row.departmentId, [...(byDepartment.get(row.departmentId) ?? []), row]);
    const totals = [...byDepartment.values()].map((rows) => ({
      departmentId: rows[0].departmentId,
      code: rows[0].code,
      name: rows[0].name,
      amount: sumMoney(rows.map((r) => r.amount)),
    }));
    return withNames(totals, nameOf);
  }, [report, nameOf]);
  const [departmentSearch, shownDepartments] = useDepartmentSearch(departments);

  return (
    <Card
      title={t('usage.title')}
      extra={<DownloadButtons path="/reports/usage" query={{ ...filters }} formats={['xlsx', 'csv']} />}
    >
      <Form
        form={form}
        layout="inline"
        initialValues={initial}
        onFinish={(values) => void load(values)}
        style={{ marginBottom: 16 }}
      >
        <Form.Item
          name="from"
          label={t('usage.from')}
          rules={[{ required: true, pattern: MONTH, message: t('rebills.periodFormat') }]}
        >
          <Input placeholder="YYYY-MM" style={{ width: 120 }} />
        </Form.Item>
        <Form.Item
          name="to"
          label={t('usage.to')}
          rules={[{ required: true, pattern: MONTH, message: t('rebills.periodFormat') }]}
        >
          <Input placeholder="YYYY-MM" style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="departmentId">
          <DepartmentFilter label={t('rebill.department')} />
        </Form.Item>
        <Form.Item>
          {/* Never blocked by a load in flight (the year so far, metered live, can take a while): a new
              search replaces it. */}
          <Button type="primary" htmlType="submit">
            {t('common.search')}
          </Button>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {loading && !report && <Spin style={{ display: 'block', margin: '24px auto' }} />}
      {report && option && (
        <Spin spinning={loading}>
          <Chart option={option} />
          <Table<MonthTotal>
            rowKey="month"
            size="small"
            pagination={false}
            style={{ margin: '16px 0' }}
            dataSource={report.totals}
            columns={[
              { title: t('usage.month'), dataIndex: 'month', key: 'month' },
              {
                title: t('usage.basis'),
                dataIndex: 'basis',
                key: 'basis',
                render: (basis: Basis) => <BasisTag basis={basis} />,
              },
              {
                title: t('usage.meteredUntil'),
                dataIndex: 'meteredUntil',
                key: 'meteredUntil',
                render: (at: string) => time(at),
              },
              {
                title: t('usage.amount'),
                dataIndex: 'amount',
                key: 'amount',
                align: 'right',
                render: formatMoney,
              },
            ]}
          />
          {departmentSearch}
          <Table
            rowKey="departmentId"
            size="small"
            dataSource={shownDepartments}
            pagination={{ pageSize: 10 }}
            columns={[
              { title: t('rebill.code'), dataIndex: 'code', key: 'code' },
              { title: t('rebill.department'), dataIndex: 'name', key: 'name' },
              {
                title: t('usage.amount'),
                dataIndex: 'amount',
                key: 'amount',
                align: 'right',
                render: formatMoney,
              },
            ]}
          />
        </Spin>
      )}
    </Card>
  );
}
