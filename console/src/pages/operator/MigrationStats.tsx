import { Alert, App, Button, Card, DatePicker, Space, Table, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import type { EChartsOption } from 'echarts';
import { useEffect, useMemo, useState } from 'react';
import { api, download } from '../../api';
import { Chart } from '../../components/Chart';
import { DepartmentFilter, useReportDepartmentNames } from '../../components/departments';
import { useI18n, type Translate } from '../../i18n';
import type { BurnupWeek, Counts, ReportRow } from '../../shared';

export interface Report {
  asOf: string;
  rows: ReportRow[];
  totals: Counts;
}

export interface Burnup {
  from: string;
  to: string;
  weeks: BurnupWeek[];
}

export interface Target {
  id: string;
  dueDate: string;
  percentage: string;
  scopeDepartmentId: string | null;
  label: string | null;
}

const rate = (value: number | null) => (value === null ? '—' : `${value}%`);

const COUNT_COLUMNS = [
  'total',
  'classified',
  'nonClassified',
  'migrated',
  'migrating',
  'notMigrated',
  'exemptedOrRetired',
] as const;

/**
 * The burn-up: systems migrated per week against the non-classified systems known by then, and each
 * target of the city or of the department shown, as the number of systems it asks for by its due date
 * (percentage × scope then).
 */
export function burnupOption(
  t: Translate,
  burnup: Burnup,
  targets: Target[],
  departmentId?: string,
): EChartsOption {
  const weeks = burnup.weeks.map((w) => w.weekEnd);
  const scopeAt = (date: string) =>
    (burnup.weeks.find((w) => w.weekEnd >= date) ?? burnup.weeks.at(-1))?.nonClassified ?? 0;
  const targetPoints = targets
    .filter((tg) => [null, departmentId ?? null].includes(tg.scopeDepartmentId) && tg.dueDate >= burnup.from)
    .map((tg) => {
      const week = weeks.find((w) => w >= tg.dueDate) ?? weeks.at(-1) ?? tg.dueDate;
      return {
        value: [week, Math.ceil((Number(tg.percentage) / 100) * scopeAt(tg.dueDate))],
        name: tg.label ?? undefined,
      };
    });
  return {
    // No animation: the browser tests' screenshots show the finished chart.
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 24, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: weeks, boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1, name: t('migrationStats.systems') },
    series: [
      {
        name: t('migrationStats.migratedSeries'),
        type: 'line',
        areaStyle: { opacity: 0.2 },
        data: burnup.weeks.map((w) => w.migrated),
      },
      {
        name: t('migrationStats.scopeSeries'),
        type: 'line',
        lineStyle: { type: 'dashed' },
        data: burnup.weeks.map((w) => w.nonClassified),
      },
      {
        name: t('migrationStats.targetSeries'),
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 14,
        data: targetPoints,
      },
    ],
  };
}

/** 迁移统计表 as of a day, with each department's gap to its next target, and the weekly burn-up. */
export function MigrationStats() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const nameOf = useReportDepartmentNames();
  const [asOf, setAsOf] = useState<string | undefined>();
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const [report, setReport] = useState<Report | null>(null);
  const [burnup, setBurnup] = useState<Burnup | null>(null);
  const [targets, setTargets] = useState<Target[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const query = { asOf, departmentId };
    Promise.all([
      api<Report>('/reports/migration', { query }),
      api<Burnup>('/reports/migration/burnup', { query: { to: asOf, departmentId } }),
      api<Target[]>('/migration/targets'),
    ]).then(
      ([r, b, tg]) => {
        if (!current) return;
        setReport(r);
        setBurnup(b);
        setTargets(tg);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [asOf, departmentId]);

  const option = useMemo(
    () => burnup && burnupOption(t, burnup, targets, departmentId),
    [t, burnup, targets, departmentId],
  );

  const columns: ColumnsType<ReportRow> = [
    {
      title: t('migrationStats.department'),
      key: 'name',
      fixed: 'left',
      render: (_, r) => <span style={{ paddingLeft: r.depth * 16 }}>{nameOf(r.departmentId, r.name)}</span>,
    },
    ...COUNT_COLUMNS.map((c) => ({
      title: t(`migrationStats.${c}`),
      dataIndex: c,
      key: c,
      align: 'right' as const,
    })),
    { title: t('migrationStats.rate'), key: 'rate', align: 'right', render: (_, r) => rate(r.rate) },
    {
      title: t('migrationStats.nextTarget'),
      key: 'nextTarget',
      render: (_, r) =>
        r.nextTarget
          ? t('migrationStats.targetValue', {
              percentage: r.nextTarget.percentage,
              dueDate: r.nextTarget.dueDate,
            })
          : '—',
    },
    {
      title: t('migrationStats.gap'),
      dataIndex: 'gap',
      key: 'gap',
      align: 'right',
      render: (gap: number | null) =>
        gap === null ? '—' : <Typography.Text type={gap > 0 ? 'danger' : 'success'}>{gap}</Typography.Text>,
    },
  ];

  const save = (format: 'xlsx' | 'csv') =>
    download('/reports/migration', { query: { asOf, departmentId, format } }).catch((err: unknown) =>
      message.error(err instanceof Error ? err.message : String(err)),
    );
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={t('migrationStats.title')}
        extra={
          <Space>
            <Button onClick={() => void save('xlsx')}>{t('migrationStats.exportXlsx')}</Button>
            <Button onClick={() => void save('csv')}>{t('migrationStats.exportCsv')}</Button>
          </Space>
        }
      >
        <Space wrap style={{ marginBottom: 16 }}>
          <DatePicker
            aria-label={t('migrationStats.asOf')}
            placeholder={t('migrationStats.asOf')}
            onChange={(day) => setAsOf(day ? day.format('YYYY-MM-DD') : undefined)}
          />
          <DepartmentFilter
            label={t('migrationStats.department')}
            value={departmentId}
            onChange={setDepartmentId}
          />
          {report && (
            <Typography.Text type="secondary">
              {t('migrationStats.asOfValue', { asOf: report.asOf })}
            </Typography.Text>
          )}
        </Space>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Table<ReportRow>
          rowKey="departmentId"
          size="small"
          scroll={{ x: 'max-content' }}
          columns={columns}
          dataSource={report?.rows ?? []}
          loading={loading}
          pagination={{
            defaultPageSize: 20,
            showSizeChanger: true,
            showTotal: (total) => t('common.total', { total }),
          }}
          summary={() =>
            report && (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>
                  <Typography.Text strong>{t('migrationStats.totals')}</Typography.Text>
                </Table.Summary.Cell>
                {COUNT_COLUMNS.map((c, i) => (
                  <Table.Summary.Cell key={c} index={i + 1} align="right">
                    {report.totals[c]}
                  </Table.Summary.Cell>
                ))}
                <Table.Summary.Cell index={COUNT_COLUMNS.length + 1} align="right">
                  {rate(report.totals.rate)}
                </Table.Summary.Cell>
                <Table.Summary.Cell index={COUNT_COLUMNS.length + 2} colSpan={2} />
              </Table.Summary.Row>
            )
          }
        />
      </Card>
      <Card title={t('migrationStats.burnup')}>{option && <Chart option={option} />}</Card>
    </Space>
  );
}
