import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType as ColumnsType, TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../../api';
import {
  useReportDepartmentNames,
  withNames,
  type ReportDepartmentName as NameOf,
} from '../../components/departments';
import { formatMoney } from '../../components/money';
import { useDepartmentSearch } from '../../components/useDepartmentSearch';
import { useLatest } from '../../components/useLatest';
import { useMayWrite } from '../../components/useMayWrite';
import { isMessageKey, storageTierLabel, useI18n, type MessageKey, type Translate } from '../../i18n';
import type { DepartmentTotal, LineRow, ResourceState } from '../../shared';
import { stateLabel } from '../dept/Resources';
import {
  BILLING_WRITERS,
  ComputationProgress,
  RebillStateTag,
  useComputation,
  type RebillSummary,
} from './Rebills';
import { DownloadButtons } from './parts';
import { UnpricedWarning, type Unpriced } from './UnpricedWarning';

/** GET /rebills/:id as JSON: the run, its department totals and a page of its lines. */
export interface RebillDetail extends RebillSummary {
  lineCount: number;
  unpriced: Unpriced[];
  departments: DepartmentTotal[];
  lines: { items: LineRow[]; count: number };
}

interface DepartmentRebill {
  department: { id: string; code: string; name: string };
  own: string;
  subtree: string;
  children: DepartmentTotal[];
  lines: { items: LineRow[]; count: number };
}

interface LineExplanation {
  line: LineRow;
  rateCard: { name: string; tenderRef: string | null; effectiveFrom: string };
  window: { from: string; to: string };
  events: Array<{
    id: string;
    type: string;
    fromState: ResourceState | null;
    toState: ResourceState;
    reason: string | null;
    occurredAt: string;
  }>;
  intervals: Array<{ from: string; to: string; quantity: string }>;
  recomputed: { quantity: string; unitPrice: string; amount: string } | null;
  consistent: boolean | null;
}

const FORMATS = ['xlsx', 'csv', 'pdf'] as const;

/**
 * A line's quantity with its unit in the console's language: the API prints units in English
 * ('vCPU·h', 'IP·month'); Chinese reads 核·时, 个·月. A dimension the console does not know keeps the API's.
 */
export function quantityText(t: Translate, line: Pick<LineRow, 'dimension' | 'quantity' | 'unit'>): string {
  const key = `rebill.unit.${line.dimension}`;
  return `${line.quantity} ${isMessageKey(key) ? t(key) : line.unit}`;
}
const money = (amount: string) => formatMoney(amount);

/** A server-paged table's state (the rebill endpoints answer `{items, count}` with limit/offset). */
function usePage() {
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const query = { limit: page.pageSize, offset: (page.current - 1) * page.pageSize };
  const pagination = (total: number): TablePaginationConfig => ({
    ...page,
    total,
    showSizeChanger: true,
    onChange: (current, pageSize) => setPage({ current, pageSize }),
  });
  return { query, pagination };
}

function useLineColumns(explain: (line: LineRow) => void, nameOf: NameOf): ColumnsType<LineRow> {
  const { t } = useI18n();
  return [
    {
      title: t('rebill.department'),
      key: 'department',
      render: (_, l) => nameOf(l.departmentId, l.departmentName),
    },
    {
      title: t('rebill.dimension'),
      key: 'dimension',
      render: (_, l) => {
        const dimension = t(`rebill.dimension.${l.dimension}` as MessageKey);
        return l.tier
          ? t('rebill.dimensionTier', { dimension, tier: storageTierLabel(t, l.tier) })
          : dimension;
      },
    },
    {
      title: t('rebill.kind'),
      dataIndex: 'kind',
      key: 'kind',
      render: (kind: string) => (
        <Tag color={kind === 'adjustment' ? 'orange' : undefined}>
          {t(`rebill.kind.${kind}` as MessageKey)}
        </Tag>
      ),
    },
    {
      title: t('rebill.resource'),
      key: 'resource',
      ellipsis: true,
      render: (_, l) => l.resourceName ?? l.resourceId,
    },
    {
      title: t('rebill.quantity'),
      key: 'quantity',
      align: 'right',
      render: (_, l) => quantityText(t, l),
    },
    { title: t('rebill.unitPrice'), dataIndex: 'unitPrice', key: 'unitPrice', align: 'right' },
    { title: t('rebill.amount'), dataIndex: 'amount', key: 'amount', align: 'right', render: money },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, l) => (
        <Button size="small" onClick={() => explain(l)}>
          {t('rebill.explain')}
        </Button>
      ),
    },
  ];
}

/** One department's share of a run: own and subtree totals, its children, its own lines. */
function DepartmentDrawer(props: {
  runId: string;
  department: DepartmentTotal | null;
  onClose(): void;
  explain(line: LineRow): void;
  nameOf: NameOf;
}) {
  const { t } = useI18n();
  const [data, setData] = useState<DepartmentRebill | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { query, pagination } = usePage();
  const columns = useLineColumns(props.explain, props.nameOf);
  const id = props.department?.departmentId;
  const key = JSON.stringify(query);
  useEffect(() => {
    if (!id) return;
    setData(null);
    setError(null);
    api<DepartmentRebill>(`/rebills/${props.runId}/departments/${id}`, {
      query: { subtree: false, ...JSON.parse(key) },
    }).then(setData, (err: Error) => setError(err.message));
  }, [props.runId, id, key]);
  return (
    <Drawer
      open={props.department !== null}
      onClose={props.onClose}
      size="large"
      title={props.department ? `${props.department.name} (${props.department.code})` : ''}
    >
      {error && <Alert type="error" showIcon title={error} />}
      {data && (
        <>
          <Descriptions column={2} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('rebill.own')}>{money(data.own)}</Descriptions.Item>
            <Descriptions.Item label={t('rebill.subtree')}>{money(data.subtree)}</Descriptions.Item>
          </Descriptions>
          {data.children.length > 0 && (
            <Table<DepartmentTotal>
              rowKey="departmentId"
              size="small"
              style={{ marginBottom: 16 }}
              pagination={false}
              dataSource={withNames(data.children, props.nameOf)}
              columns={[
                { title: t('rebill.childDepartment'), dataIndex: 'name', key: 'name' },
                { title: t('rebill.subtree'), dataIndex: 'subtree', key: 'subtree', render: money },
              ]}
            />
          )}
          <Table<LineRow>
            rowKey="id"
            size="small"
            columns={columns.filter((c) => c.key !== 'department')}
            dataSource={data.lines.items}
            pagination={pagination(data.lines.count)}
          />
        </>
      )}
    </Drawer>
  );
}

/** "Where does this line come from?": the rate card, the resource's events and the intervals billed. */
function LineDrawer(props: { runId: string; line: LineRow | null; onClose(): void; nameOf: NameOf }) {
  const { t, time } = useI18n();
  const [data, setData] = useState<LineExplanation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = props.line?.id;
  useEffect(() => {
    if (!id) return;
    setData(null);
    setError(null);
    api<LineExplanation>(`/rebills/${props.runId}/lines/${id}`).then(setData, (err: Error) =>
      setError(err.message),
    );
  }, [props.runId, id]);
  return (
    <Drawer open={props.line !== null} onClose={props.onClose} size="large" title={t('rebill.explanation')}>
      {error && <Alert type="error" showIcon title={error} />}
      {data && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={t('rebill.department')}>
              {props.nameOf(data.line.departmentId, data.line.departmentName)}
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.resource')}>
              {data.line.resourceName
                ? `${data.line.resourceName} (${data.line.resourceId})`
                : data.line.resourceId}
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.pool')}>{data.line.poolName}</Descriptions.Item>
            <Descriptions.Item label={t('rebill.rateCard')}>
              {data.rateCard.name}
              {data.rateCard.tenderRef ? ` · ${data.rateCard.tenderRef}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.window')}>
              {time(data.window.from)} – {time(data.window.to)}
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.amount')}>
              {quantityText(t, data.line)} × {data.line.unitPrice} = {money(data.line.amount)}
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.consistent')}>
              {data.consistent === null ? (
                '—'
              ) : (
                <Tag color={data.consistent ? 'success' : 'error'}>
                  {t(data.consistent ? 'rebill.consistent.yes' : 'rebill.consistent.no')}
                </Tag>
              )}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>{t('rebill.events')}</Typography.Title>
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={data.events}
            columns={[
              { title: t('rebill.at'), dataIndex: 'occurredAt', key: 'at', render: time },
              {
                title: t('rebill.transition'),
                key: 'state',
                render: (_, e) =>
                  `${e.fromState ? t(stateLabel(e.fromState)) : '—'} → ${t(stateLabel(e.toState))}`,
              },
              { title: t('rebill.reason'), dataIndex: 'reason', key: 'reason' },
            ]}
          />
          <Typography.Title level={5}>{t('rebill.intervals')}</Typography.Title>
          <Table
            rowKey={(i) => `${i.from}-${i.to}`}
            size="small"
            pagination={false}
            dataSource={data.intervals}
            columns={[
              { title: t('rebill.from'), dataIndex: 'from', key: 'from', render: time },
              { title: t('rebill.to'), dataIndex: 'to', key: 'to', render: time },
              { title: t('rebill.quantity'), dataIndex: 'quantity', key: 'quantity', align: 'right' },
            ]}
          />
        </Space>
      )}
    </Drawer>
  );
}

/** A rebill run: its totals per department and its lines; recompute, finalise and download. */
export function RebillRun() {
  const { id = '' } = useParams();
  const { t, time } = useI18n();
  const { message } = App.useApp();
  const mayRun = useMayWrite(BILLING_WRITERS);
  const [run, setRun] = useState<RebillDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [department, setDepartment] = useState<DepartmentTotal | null>(null);
  const [line, setLine] = useState<LineRow | null>(null);
  const nameOf = useReportDepartmentNames();
  // Searched and shown (the drawer's title too) by the name the user reads.
  const [departmentSearch, departments] = useDepartmentSearch(withNames(run?.departments ?? [], nameOf));
  const { query, pagination } = usePage();
  const computation = useComputation();
  const columns = useLineColumns(setLine, nameOf);
  const key = JSON.stringify(query);

  const begin = useLatest();
  const load = useCallback(async () => {
    const current = begin();
    try {
      const answer = await api<RebillDetail>(`/rebills/${id}`, { query: JSON.parse(key) });
      if (!current()) return;
      setRun(answer);
      setError(null);
    } catch (err) {
      if (current()) setError(err instanceof Error ? err.message : String(err));
    }
  }, [id, key, begin]);
  useEffect(() => void load(), [load]);

  const act = async (action: () => Promise<RebillSummary>, done: MessageKey) => {
    try {
      const summary = await action();
      message.success(t(done, { period: summary.period, total: money(summary.total) }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await load();
  };

  const draft = run?.state === 'draft';
  return (
    <Card
      title={run ? t('rebill.title', { period: run.period }) : t('rebills.title')}
      extra={
        <Space wrap>
          <DownloadButtons path={`/rebills/${id}`} formats={FORMATS} disabled={!run} />
          {mayRun && draft && run && (
            <Button
              onClick={() => void act(() => computation.compute(run.period), 'rebills.computed')}
              loading={computation.running !== null}
            >
              {t('rebill.recompute')}
            </Button>
          )}
          {mayRun && draft && (
            <Popconfirm
              title={t('rebill.finalizeConfirm', { period: run.period, total: money(run.total) })}
              okText={t('common.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() =>
                act(
                  () => api<RebillSummary>(`/rebills/${id}/finalize`, { method: 'POST' }),
                  'rebill.finalized',
                )
              }
            >
              <Button type="primary" danger disabled={run.unpriced.length > 0}>
                {t('rebill.finalize')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      }
    >
      <ComputationProgress {...computation} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {run && (
        <>
          <Descriptions column={3} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('rebill.state')}>
              <RebillStateTag state={run.state} />
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.total')}>
              <span data-testid="rebill-total">{money(run.total)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('rebill.lineCount')}>{run.lineCount}</Descriptions.Item>
            <Descriptions.Item label={t('rebill.computedUntil')}>{time(run.computedUntil)}</Descriptions.Item>
            <Descriptions.Item label={t('rebill.computedAt')}>{time(run.computedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('rebill.finalizedAt')}>{time(run.finalizedAt)}</Descriptions.Item>
          </Descriptions>
          <UnpricedWarning unpriced={run.unpriced} />
          <Typography.Title level={5}>{t('rebill.departments')}</Typography.Title>
          {departmentSearch}
          <Table<DepartmentTotal>
            rowKey="departmentId"
            size="small"
            style={{ marginBottom: 24 }}
            dataSource={departments}
            pagination={{ pageSize: 10 }}
            columns={[
              { title: t('rebill.code'), dataIndex: 'code', key: 'code' },
              { title: t('rebill.department'), dataIndex: 'name', key: 'name' },
              { title: t('rebill.own'), dataIndex: 'own', key: 'own', align: 'right', render: money },
              {
                title: t('rebill.subtree'),
                dataIndex: 'subtree',
                key: 'subtree',
                align: 'right',
                render: money,
              },
              {
                title: t('common.actions'),
                key: 'actions',
                render: (_, d) => (
                  <Button size="small" onClick={() => setDepartment(d)}>
                    {t('rebill.departmentLines')}
                  </Button>
                ),
              },
            ]}
          />
          <Typography.Title level={5}>{t('rebill.lines')}</Typography.Title>
          <Table<LineRow>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={run.lines.items}
            pagination={pagination(run.lines.count)}
          />
        </>
      )}
      <DepartmentDrawer
        // Each department opens on its first page: a fresh drawer, not the last one's page number.
        key={department?.departmentId ?? 'none'}
        runId={id}
        department={department}
        onClose={() => setDepartment(null)}
        explain={setLine}
        nameOf={nameOf}
      />
      <LineDrawer runId={id} line={line} onClose={() => setLine(null)} nameOf={nameOf} />
    </Card>
  );
}
