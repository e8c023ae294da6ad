import { Alert, Button, Card, DatePicker, Form, Input, Table } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useList } from '../../components/useList';
import { useI18n } from '../../i18n';

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

interface SearchForm {
  actorName?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

type Filters = Partial<Record<'actorName' | 'action' | 'targetType' | 'targetId' | 'from' | 'to', string>>;

const TEXT_FILTERS = ['actorName', 'action', 'targetType', 'targetId'] as const;

function filtersOf(form: SearchForm): Filters {
  const filters: Filters = {};
  for (const key of TEXT_FILTERS) if (form[key]?.trim()) filters[key] = form[key].trim();
  if (form.range?.[0]) filters.from = form.range[0].toISOString();
  if (form.range?.[1]) filters.to = form.range[1].toISOString();
  return filters;
}

const json = (value: unknown) =>
  value === null || value === undefined ? (
    '—'
  ) : (
    <pre style={{ margin: 0 }}>{JSON.stringify(value, null, 2)}</pre>
  );

/** The audit log, read-only: who did what to which object and when, with before and after. */
export function AuditLog() {
  const { t } = useI18n();
  const [form] = Form.useForm<SearchForm>();
  const [filters, setFilters] = useState<Filters>({});
  const list = useList<AuditEntry>('/audit', filters);

  const columns: ColumnsType<AuditEntry> = [
    {
      title: t('audit.at'),
      dataIndex: 'at',
      key: 'at',
      render: (at: string) => new Date(at).toLocaleString(),
    },
    { title: t('audit.actorName'), dataIndex: 'actorName', key: 'actorName' },
    { title: t('audit.role'), dataIndex: 'role', key: 'role' },
    { title: t('audit.action'), dataIndex: 'action', key: 'action' },
    { title: t('audit.targetType'), dataIndex: 'targetType', key: 'targetType' },
    { title: t('audit.targetId'), dataIndex: 'targetId', key: 'targetId', ellipsis: true },
    { title: t('audit.requestId'), dataIndex: 'requestId', key: 'requestId', ellipsis: true },
  ];

  return (
    <Card title={t('audit.title')}>
      <Form
        form={form}
        layout="inline"
        onFinish={(values) => setFilters(filtersOf(values))}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        {TEXT_FILTERS.map((key) => (
          <Form.Item key={key} name={key}>
            <Input
              allowClear
              aria-label={t(`audit.${key}`)}
              placeholder={t(`audit.${key}`)}
              style={{ width: 170 }}
            />
          </Form.Item>
        ))}
        <Form.Item name="range">
          <DatePicker.RangePicker showTime aria-label={t('audit.range')} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">
            {t('common.search')}
          </Button>
        </Form.Item>
        <Form.Item>
          <Button
            onClick={() => {
              form.resetFields();
              setFilters({});
            }}
          >
            {t('common.reset')}
          </Button>
        </Form.Item>
      </Form>
      {list.error && <Alert type="error" showIcon title={list.error} style={{ marginBottom: 16 }} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={list.items}
        loading={list.loading}
        pagination={list.pagination}
        expandable={{
          expandedRowRender: (entry) => (
            <div>
              <strong>{t('audit.before')}</strong>
              {json(entry.before)}
              <strong>{t('audit.after')}</strong>
              {json(entry.after)}
            </div>
          ),
        }}
      />
    </Card>
  );
}
