import { Alert, App, Button, Card, Descriptions, Popconfirm, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../../api';
import { useReportDepartmentNames, withNames } from '../../components/departments';
import { useDepartmentSearch } from '../../components/useDepartmentSearch';
import { useLatest } from '../../components/useLatest';
import { useMayWrite } from '../../components/useMayWrite';
import { useI18n, type MessageKey } from '../../i18n';
import type { DepartmentTotal, LineRow } from '../../shared';
import { DepartmentDrawer, LineDrawer, money, useLineColumns, usePage } from './RebillDrawers';
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

const FORMATS = ['xlsx', 'csv', 'pdf'] as const;

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
