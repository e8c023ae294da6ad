import { Alert, App, Button, Card, DatePicker, Input, Space, Steps, Table, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api, download, type Role } from '../../api';
import { DepartmentFilter, useDepartments } from '../../components/departments';
import { useList } from '../../components/useList';
import { auditActionLabel, auditSubjectLabel, useI18n } from '../../i18n';

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string;
  role: string | null;
  action: string;
  targetType: string;
  targetId: string;
  departmentId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

interface AuditExport {
  id: string;
  state: 'queued' | 'done' | 'failed';
  rowCount: number | null;
}

interface Filters {
  actorName?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  departmentId?: string;
  from?: string;
  to?: string;
}

const EXPORT_POLL_MS = 1000;

const json = (value: unknown) =>
  value === null || value === undefined ? (
    '—'
  ) : (
    <pre style={{ margin: 0 }}>{JSON.stringify(value, null, 2)}</pre>
  );

/** A code in words, with the code itself below them when they differ. */
function Labelled({ label, code }: { label: string; code: string }) {
  if (label === code) return <>{code}</>;
  return (
    <Space orientation="vertical" size={0}>
      {label}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {code}
      </Typography.Text>
    </Space>
  );
}

/** The append-only audit log: who changed what, when, with the before and after of each change. */
export function AuditLog() {
  const { t, time } = useI18n();
  const { message } = App.useApp();
  const { nameOf } = useDepartments();
  const [filters, setFilters] = useState<Filters>({});
  const [exporting, setExporting] = useState<AuditExport | null>(null);
  const list = useList<AuditEntry>('/audit', { ...filters });

  // The CSV is built by a worker: ask for it, follow its state, then download it.
  const exportCsv = async () => {
    try {
      let job = await api<AuditExport>('/audit/exports', { method: 'POST', body: filters });
      setExporting(job);
      while (job.state === 'queued') {
        await new Promise((resolve) => setTimeout(resolve, EXPORT_POLL_MS));
        job = await api<AuditExport>(`/audit/exports/${job.id}`);
        setExporting(job);
      }
      if (job.state === 'failed') throw new Error(t('auditLog.exportFailed'));
      await download(`/audit/exports/${job.id}/content`);
      message.success(t('auditLog.exported', { rows: job.rowCount ?? 0 }));
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    } finally {
      setExporting(null);
    }
  };

  const columns: ColumnsType<AuditEntry> = [
    {
      title: t('auditLog.at'),
      dataIndex: 'at',
      key: 'at',
      render: (at: string) => time(at),
    },
    {
      title: t('auditLog.actor'),
      key: 'actor',
      render: (_, e) => (e.role ? `${e.actorName}（${t(`role.${e.role as Role}`)}）` : e.actorName),
    },
    {
      title: t('auditLog.action'),
      dataIndex: 'action',
      key: 'action',
      // The code beside the words: it is what the action filter takes.
      render: (action: string) => <Labelled label={auditActionLabel(t, action)} code={action} />,
    },
    {
      title: t('auditLog.targetType'),
      dataIndex: 'targetType',
      key: 'targetType',
      render: (type: string) => <Labelled label={auditSubjectLabel(t, type)} code={type} />,
    },
    {
      title: t('auditLog.targetId'),
      dataIndex: 'targetId',
      key: 'targetId',
      render: (id: string) => <Typography.Text copyable>{id}</Typography.Text>,
    },
    {
      title: t('auditLog.department'),
      dataIndex: 'departmentId',
      key: 'departmentId',
      render: (id: string | null) => nameOf(id),
    },
  ];

  return (
    <Card
      title={t('auditLog.title')}
      extra={
        <Button loading={exporting !== null} onClick={() => void exportCsv()}>
          {t('auditLog.export')}
        </Button>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('auditLog.actor')}
          aria-label={t('auditLog.actor')}
          onSearch={(v) => setFilters((f) => ({ ...f, actorName: v.trim() || undefined }))}
          style={{ width: 160 }}
        />
        {/* An exact action (rebill.finalize), or every action of a kind (rebill.). */}
        <Input.Search
          allowClear
          placeholder={t('auditLog.action')}
          aria-label={t('auditLog.action')}
          onSearch={(v) => setFilters((f) => ({ ...f, action: v.trim() || undefined }))}
          style={{ width: 180 }}
        />
        <Input.Search
          allowClear
          placeholder={t('auditLog.targetType')}
          aria-label={t('auditLog.targetType')}
          onSearch={(v) => setFilters((f) => ({ ...f, targetType: v.trim() || undefined }))}
          style={{ width: 180 }}
        />
        <Input.Search
          allowClear
          placeholder={t('auditLog.targetId')}
          aria-label={t('auditLog.targetId')}
          onSearch={(v) => setFilters((f) => ({ ...f, targetId: v.trim() || undefined }))}
          style={{ width: 260 }}
        />
        <DepartmentFilter
          label={t('auditLog.department')}
          value={filters.departmentId}
          onChange={(departmentId) => setFilters((f) => ({ ...f, departmentId }))}
        />
        <DatePicker.RangePicker
          showTime
          aria-label={t('auditLog.period')}
          onChange={(range) =>
            setFilters((f) => ({
              ...f,
              from: range?.[0]?.toISOString() ?? undefined,
              to: range?.[1]?.toISOString() ?? undefined,
            }))
          }
        />
        <Button onClick={() => void list.reload()}>{t('common.refresh')}</Button>
      </Space>
      {exporting && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('auditLog.exporting')}
          description={
            <Steps
              size="small"
              current={exporting.state === 'queued' ? 1 : 2}
              items={[
                { title: t('auditLog.exportAsked') },
                { title: t('auditLog.exportBuilding') },
                { title: t('auditLog.exportDownloading') },
              ]}
            />
          }
        />
      )}
      {list.error && <Alert type="error" showIcon title={list.error} style={{ marginBottom: 16 }} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={list.items}
        loading={list.loading}
        pagination={list.pagination}
        expandable={{
          expandedRowRender: (e) => (
            <Space align="start" size="large">
              <div>
                <Typography.Text strong>{t('auditLog.before')}</Typography.Text>
                {json(e.before)}
              </div>
              <div>
                <Typography.Text strong>{t('auditLog.after')}</Typography.Text>
                {json(e.after)}
              </div>
            </Space>
          ),
        }}
      />
    </Card>
  );
}
