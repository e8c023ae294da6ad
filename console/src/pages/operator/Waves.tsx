import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Progress,
  Space,
  Table,
  Tag,
} from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { DepartmentFilter } from '../../components/departments';
import { FormModal } from '../../components/FormModal';
import { useFormSubmit } from '../../components/useFormSubmit';
import { useI18n, type MessageKey } from '../../i18n';

export interface Wave {
  id: string;
  name: string;
  targetDate: string;
  note: string | null;
  systems: number;
  byStatus: Record<string, number>;
}

// As MIGRATED_STATUSES in src/modules/migration/status-machine.ts: the statistics count these as migrated.
const DONE = ['migrated', 'archived'];

const migratedOf = (wave: Wave) => DONE.reduce((sum, s) => sum + (wave.byStatus[s] ?? 0), 0);

interface WaveForm {
  name: string;
  targetDate: { format(pattern: string): string };
  note?: string;
}

/** A new wave: name and target date; the API's complaints show next to their fields. */
function NewWave({ onDone }: { onDone(created: boolean): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<WaveForm>();
  const submitting = useFormSubmit(form, async (values) => {
    await api('/migration/waves', {
      method: 'POST',
      body: {
        name: values.name,
        targetDate: values.targetDate.format('YYYY-MM-DD'),
        note: values.note || undefined,
      },
    });
    onDone(true);
  });
  return (
    <FormModal title={t('waves.new')} form={form} submitting={submitting} onCancel={() => onDone(false)}>
      <Form.Item
        name="name"
        label={t('waves.name')}
        rules={[{ required: true, message: t('waves.nameRequired') }]}
      >
        <Input maxLength={100} placeholder={t('waves.nameHint')} />
      </Form.Item>
      <Form.Item
        name="targetDate"
        label={t('waves.targetDate')}
        rules={[{ required: true, message: t('waves.targetDateRequired') }]}
      >
        <DatePicker />
      </Form.Item>
      <Form.Item name="note" label={t('waves.note')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
    </FormModal>
  );
}

/** Fills a wave easy-first (先易后难) with the lowest-scored systems not yet in a wave. */
function FillWave({ wave, onDone }: { wave: Wave; onDone(added: number | null): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ size: number; departmentId?: string }>();
  const submitting = useFormSubmit(form, async (body) => {
    const added = await api<unknown[]>(`/migration/waves/${wave.id}/fill`, { method: 'POST', body });
    onDone(added.length);
  });
  return (
    <FormModal
      title={t('waves.fillTitle', { name: wave.name })}
      okText={t('waves.fill')}
      form={form}
      submitting={submitting}
      initialValues={{ size: 20 }}
      onCancel={() => onDone(null)}
      before={
        <>
          <Alert type="info" showIcon title={t('waves.fillHint')} style={{ marginBottom: 16 }} />
        </>
      }
    >
      <Form.Item name="size" label={t('waves.size')}>
        <InputNumber min={1} max={1000} precision={0} />
      </Form.Item>
      <Form.Item name="departmentId" label={t('waves.department')}>
        <DepartmentFilter label={t('waves.allDepartments')} />
      </Form.Item>
    </FormModal>
  );
}

/** Migration waves (批次) by target date, with how far each has come. */
export function Waves() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [waves, setWaves] = useState<Wave[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [filling, setFilling] = useState<Wave | null>(null);

  const reload = useCallback(async () => {
    try {
      setWaves(await api<Wave[]>('/migration/waves'));
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void reload(), [reload]);

  const remove = async (wave: Wave) => {
    try {
      await api(`/migration/waves/${wave.id}`, { method: 'DELETE' });
      message.success(t('waves.deleted', { name: wave.name }));
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
    await reload();
  };

  const columns: ColumnsType<Wave> = [
    { title: t('waves.name'), dataIndex: 'name', key: 'name' },
    { title: t('waves.targetDate'), dataIndex: 'targetDate', key: 'targetDate' },
    { title: t('waves.systems'), dataIndex: 'systems', key: 'systems', align: 'right' },
    {
      title: t('waves.progress'),
      key: 'progress',
      width: 220,
      render: (_, w) => (
        <Progress
          percent={w.systems ? Math.round((migratedOf(w) / w.systems) * 100) : 0}
          format={() => `${migratedOf(w)}/${w.systems}`}
        />
      ),
    },
    {
      title: t('waves.byStatus'),
      key: 'byStatus',
      render: (_, w) =>
        Object.entries(w.byStatus).map(([status, n]) => (
          <Tag key={status}>
            {t(`migrationStatus.${status}` as MessageKey)} {n}
          </Tag>
        )),
    },
    { title: t('waves.note'), dataIndex: 'note', key: 'note', render: (note: string | null) => note ?? '' },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, w) => (
        <Space>
          <Button size="small" onClick={() => setFilling(w)}>
            {t('waves.fill')}
          </Button>
          <Popconfirm
            title={t('waves.deleteConfirm', { name: w.name })}
            okText={t('common.confirm')}
            cancelText={t('common.cancel')}
            onConfirm={() => remove(w)}
          >
            <Button size="small" danger>
              {t('waves.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t('waves.title')}
      extra={
        <Button type="primary" onClick={() => setCreating(true)}>
          {t('waves.new')}
        </Button>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Wave>
        rowKey="id"
        columns={columns}
        dataSource={waves}
        loading={loading}
        pagination={{ defaultPageSize: 20, showTotal: (total) => t('common.total', { total }) }}
      />
      {creating && (
        <NewWave
          onDone={(created) => {
            setCreating(false);
            if (created) void reload();
          }}
        />
      )}
      {filling && (
        <FillWave
          wave={filling}
          onDone={(added) => {
            if (added !== null) message.success(t('waves.filled', { name: filling.name, count: added }));
            setFilling(null);
            void reload();
          }}
        />
      )}
    </Card>
  );
}
