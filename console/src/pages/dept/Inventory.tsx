import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Space, Table, Tabs, Tag, Upload } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { api, ApiError, download } from '../../api';
import { FilterSelect } from '../../components/FilterSelect';
import { ListTable } from '../../components/ListTable';
import { useList } from '../../components/useList';
import { useI18n, type MessageKey, type Translate } from '../../i18n';
import { MIGRATION_STATUSES, type Architecture, type MigrationStatus, type Strategy } from '../../shared';

interface Row {
  id: string;
  status: string;
  [field: string]: unknown;
}

/** One kind of inventory: its API path, the file name stem of its sheets, and its table's columns. */
interface Kind {
  key: 'systems' | 'hosts' | 'rooms';
  path: string;
  columns: (t: Translate) => TableColumnsType<Row>;
}

const migrationStatus = (t: Translate) => ({
  title: t('inventory.status'),
  dataIndex: 'status',
  render: (s: MigrationStatus) => <Tag data-status={s}>{t(`migrationStatus.${s}`)}</Tag>,
});

const KINDS: Kind[] = [
  {
    key: 'systems',
    path: '/systems',
    columns: (t) => [
      { title: t('common.name'), dataIndex: 'name' },
      {
        title: t('inventory.architecture'),
        dataIndex: 'architecture',
        render: (a: Architecture) => t(`inventory.architecture.${a}`),
      },
      { title: t('inventory.difficulty'), dataIndex: 'difficultyScore' },
      {
        title: t('inventory.strategy'),
        dataIndex: 'suggestedStrategy',
        render: (s: Strategy) => t(`inventory.strategy.${s}`),
      },
      migrationStatus(t),
    ],
  },
  {
    key: 'hosts',
    path: '/hosts',
    columns: (t) => [
      { title: t('inventory.hostname'), dataIndex: 'hostname' },
      { title: t('inventory.cpuCores'), dataIndex: 'cpuCores' },
      { title: t('inventory.memoryGib'), dataIndex: 'memoryGib' },
      { title: t('inventory.diskGib'), dataIndex: 'diskGib' },
      { title: t('inventory.os'), dataIndex: 'os' },
      migrationStatus(t),
    ],
  },
  {
    key: 'rooms',
    path: '/server-rooms',
    columns: (t) => [
      { title: t('common.name'), dataIndex: 'name' },
      { title: t('inventory.address'), dataIndex: 'address' },
      { title: t('serverRooms.racks'), dataIndex: 'racks' },
      { title: t('serverRooms.pue'), dataIndex: 'pue' },
      {
        title: t('inventory.status'),
        dataIndex: 'status',
        render: (s: string) => <Tag>{t(`serverRooms.status.${s}` as MessageKey)}</Tag>,
      },
    ],
  },
];

interface SheetError {
  row: number;
  column: string;
  message: string;
}

interface ImportResult {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** One inventory table with its spreadsheet import (all or nothing, every row error shown) and exports. */
function InventoryTab({ kind }: { kind: Kind }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<MigrationStatus>();
  const list = useList<Row>(kind.path, { status }, 10_000);
  const [importing, setImporting] = useState(false);
  const [rowErrors, setRowErrors] = useState<SheetError[] | null>(null);
  const [importError, setImportError] = useState<string | null>(null);

  const upload = async (file: File) => {
    setImporting(true);
    setRowErrors(null);
    setImportError(null);
    const body = new FormData();
    body.append('file', file);
    try {
      const result = await api<ImportResult>(`${kind.path}/import`, { method: 'POST', body });
      message.success(t('inventory.imported', { ...result }));
      await list.reload();
    } catch (error) {
      const errors = error instanceof ApiError ? (error.body.errors as SheetError[] | undefined) : undefined;
      if (errors) setRowErrors(errors);
      else setImportError(error instanceof Error ? error.message : String(error));
    } finally {
      setImporting(false);
    }
  };

  const save = (what: 'export' | 'template', format: 'xlsx' | 'csv') =>
    download(`${kind.path}/${what}`, { query: { format } }).catch((error: Error) =>
      message.error(error.message),
    );

  return (
    <>
      <Space wrap style={{ marginBottom: 16 }}>
        {kind.key !== 'rooms' && (
          <FilterSelect<MigrationStatus>
            label={t('inventory.status')}
            value={status}
            onChange={setStatus}
            options={MIGRATION_STATUSES.map((s) => ({ value: s, label: t(`migrationStatus.${s}`) }))}
          />
        )}
        <Upload
          accept=".xlsx,.csv"
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Button type="primary" icon={<UploadOutlined />} loading={importing}>
            {importing ? t('inventory.importing') : t('inventory.import')}
          </Button>
        </Upload>
        <Button icon={<DownloadOutlined />} onClick={() => void save('export', 'xlsx')}>
          {t('inventory.exportXlsx')}
        </Button>
        <Button icon={<DownloadOutlined />} onClick={() => void save('export', 'csv')}>
          {t('inventory.exportCsv')}
        </Button>
        <Button type="link" onClick={() => void save('template', 'xlsx')}>
          {t('inventory.template')}
        </Button>
      </Space>
      {importError && <Alert type="error" showIcon title={importError} style={{ marginBottom: 16 }} />}
      {rowErrors && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setRowErrors(null) }}
          title={t('inventory.rowErrors', { count: rowErrors.length })}
          style={{ marginBottom: 16 }}
          description={
            <Table<SheetError>
              size="small"
              rowKey={(e) => `${e.row}-${e.column}-${e.message}`}
              pagination={false}
              dataSource={rowErrors}
              columns={[
                { title: t('inventory.row'), dataIndex: 'row', width: 80 },
                { title: t('inventory.column'), dataIndex: 'column', width: 180 },
                { title: t('inventory.problem'), dataIndex: 'message' },
              ]}
            />
          }
        />
      )}
      <ListTable list={list} columns={kind.columns(t)} />
    </>
  );
}

/** The department's systems, hosts and server rooms, with the migration status of each. */
export function Inventory() {
  const { t } = useI18n();
  return (
    <Card title={t('inventory.title')}>
      <Tabs
        destroyOnHidden
        items={KINDS.map((kind) => ({
          key: kind.key,
          label: t(`inventory.tab.${kind.key}`),
          children: <InventoryTab kind={kind} />,
        }))}
      />
    </Card>
  );
}
