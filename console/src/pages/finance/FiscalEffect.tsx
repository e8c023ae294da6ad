import { Alert, Card, Col, Row, Space, Statistic, Table, Tag, Tooltip } from 'antd';
import type { EChartsOption } from 'echarts';
import { useMemo, useState } from 'react';
import { Chart } from '../../components/Chart';
import { DepartmentFilter, useReportDepartmentNames, withNames } from '../../components/departments';
import { formatMoney } from '../../components/money';
import { useDepartmentSearch } from '../../components/useDepartmentSearch';
import { useApi } from '../../components/useApi';
import { useI18n, type MessageKey } from '../../i18n';
import type { FiscalEffectReport, FiscalEffectRow, FiscalFigures, MonthSource } from '../../shared';
import { DownloadButtons, moneyPoint, moneyTooltip, YearInput } from './parts';

const FIGURES: Array<keyof FiscalFigures> = [
  'rebill',
  'omBudget',
  'omStopped',
  'leaseCarryover',
  'savings',
  'net',
];
const CHARTED: Array<keyof FiscalFigures> = ['rebill', 'savings', 'net'];
const SOURCE_COLORS: Record<MonthSource, string> = {
  finalized: 'success',
  draft: 'processing',
  live: 'warning',
  future: 'default',
};
const figureLabel = (key: keyof FiscalFigures): MessageKey => `fiscal.figure.${key}`;

/** Rebill, savings and net per department of the report's first level below its top (its subtree figures). */
function chartOf(rows: FiscalEffectRow[], t: (key: MessageKey) => string): EChartsOption {
  const level = rows.length > 1 && rows.filter((r) => r.depth === 0).length === 1 ? 1 : 0;
  const shown = rows.filter((r) => r.depth === level).slice(0, 20);
  return {
    // Drawn at once: screenshots and prints show the bars, not their growth.
    animation: false,
    tooltip: moneyTooltip,
    legend: { top: 0 },
    grid: { left: 90, right: 24, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: shown.map((r) => r.name), axisLabel: { rotate: 20 } },
    yAxis: { type: 'value', name: t('usage.amount') },
    series: CHARTED.map((key) => ({
      type: 'bar',
      name: t(figureLabel(key)),
      data: shown.map((r) => moneyPoint(r.subtree[key])),
    })),
  };
}

/** 净财政效果: the year's cloud rebill against the O&M budget closing server rooms saves. */
export function FiscalEffect() {
  const { t } = useI18n();
  const [year, setYear] = useState(new Date().getFullYear());
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const query = new URLSearchParams({ year: String(year), ...(departmentId ? { departmentId } : {}) });
  const { data: report, error } = useApi<FiscalEffectReport>(`/reports/fiscal-effect?${query}`);

  const nameOf = useReportDepartmentNames();
  const named = useMemo(() => withNames(report?.rows ?? [], nameOf), [report, nameOf]);
  const option = useMemo(() => (report ? chartOf(named, t) : null), [report, named, t]);
  const [departmentSearch, rows] = useDepartmentSearch(named);

  return (
    <Card
      title={t('fiscal.title')}
      extra={
        <DownloadButtons
          path="/reports/fiscal-effect"
          query={{ year, departmentId }}
          formats={['xlsx', 'csv', 'pdf']}
        />
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <YearInput value={year} onChange={setYear} />
        <DepartmentFilter label={t('rebill.department')} value={departmentId} onChange={setDepartmentId} />
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {report && option && (
        <>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            {FIGURES.map((key) => (
              <Col key={key} span={4}>
                <Statistic
                  title={t(figureLabel(key))}
                  // The exact string, formatted by hand: Statistic would parse a number.
                  valueRender={() => (
                    <span data-testid={`fiscal-${key}`}>{formatMoney(report.totals[key])}</span>
                  )}
                />
              </Col>
            ))}
          </Row>
          <Space wrap size={4} style={{ marginBottom: 16 }}>
            {report.months.map((m) => (
              <Tooltip key={m.month} title={t(`fiscal.source.${m.source}`)}>
                <Tag color={SOURCE_COLORS[m.source]}>
                  {m.month} {t(`fiscal.source.${m.source}`)}
                </Tag>
              </Tooltip>
            ))}
          </Space>
          <Chart option={option} />
          <div style={{ marginTop: 16 }}>{departmentSearch}</div>
          <Table<FiscalEffectRow>
            rowKey="departmentId"
            size="small"
            dataSource={rows}
            pagination={{ pageSize: 20 }}
            columns={[
              {
                title: t('rebill.department'),
                key: 'name',
                render: (_, r) => <span style={{ paddingLeft: r.depth * 16 }}>{r.name}</span>,
              },
              ...FIGURES.map((key) => ({
                title: t(figureLabel(key)),
                key,
                align: 'right' as const,
                render: (_: unknown, r: FiscalEffectRow) => formatMoney(r.subtree[key]),
              })),
            ]}
          />
        </>
      )}
    </Card>
  );
}
