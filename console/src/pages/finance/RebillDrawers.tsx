import { Alert, Button, Descriptions, Drawer, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType as ColumnsType, TablePaginationConfig } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { withNames, type ReportDepartmentName as NameOf } from '../../components/departments';
import { formatMoney } from '../../components/money';
import { isMessageKey, storageTierLabel, useI18n, type MessageKey, type Translate } from '../../i18n';
import type { DepartmentTotal, LineRow, ResourceState } from '../../shared';
import { stateLabel } from '../dept/Resources';

// The line table's columns and paging live here with the drawers: the department drawer shows a page of
// lines as the run does, and RebillRun.tsx imports them from here (no import cycle between the two files).

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

/**
 * A line's quantity with its unit in the console's language: the API prints units in English
 * ('vCPU·h', 'IP·month'); Chinese reads 核·时, 个·月. A dimension the console does not know keeps the API's.
 */
function quantityText(t: Translate, line: Pick<LineRow, 'dimension' | 'quantity' | 'unit'>): string {
  const key = `rebill.unit.${line.dimension}`;
  return `${line.quantity} ${isMessageKey(key) ? t(key) : line.unit}`;
}
export const money = (amount: string) => formatMoney(amount);

/** A server-paged table's state (the rebill endpoints answer `{items, count}` with limit/offset). */
export function usePage() {
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

export function useLineColumns(explain: (line: LineRow) => void, nameOf: NameOf): ColumnsType<LineRow> {
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
export function DepartmentDrawer(props: {
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
export function LineDrawer(props: { runId: string; line: LineRow | null; onClose(): void; nameOf: NameOf }) {
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
