import { Alert, App, Button, Card, DatePicker, Form, Input, Popconfirm, Space, Table, Tag } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../../api';
import { DepartmentFilter, useDepartments } from '../../components/departments';
import { FilterSelect } from '../../components/FilterSelect';
import { FormModal } from '../../components/FormModal';
import { formatMoney } from '../../components/money';
import { useFormSubmit } from '../../components/useFormSubmit';
import { useList } from '../../components/useList';
import { useMayWrite } from '../../components/useMayWrite';
import { useI18n, type MessageKey } from '../../i18n';
import { ROOM_TRANSITIONS, type RoomStatus } from '../../shared';

export interface Room {
  id: string;
  departmentId: string;
  name: string;
  racks: number;
  floorAreaM2: number;
  pue: number | null;
  utilisationPercent: number | null;
  annualOmCost: string;
  candidate: boolean;
  candidateFlags: string[];
  status: RoomStatus;
  closedOn: string | null;
  budgetStopsOn: string | null;
}

interface Subject {
  id: string;
  name: string;
  status: string;
}

/** What the close endpoint's 409 lists: hosts still in the room (with their systems), and systems. */
export interface Blockers {
  hosts: { id: string; hostname: string; status: string; systems: Subject[] }[];
  systems: Subject[];
}

const STATUS_COLORS: Record<RoomStatus, string> = {
  active: 'blue',
  'closure-planned': 'gold',
  closing: 'orange',
  closed: 'default',
  retained: 'green',
};

const statusLabel = (status: string): MessageKey => `migrationStatus.${status}` as MessageKey;

/** The blocking hosts and systems a refused closure names, so the operator sees what is left to move. */
function BlockerList({ blockers }: { blockers: Blockers }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="closure-blockers">
      <Alert
        type="error"
        showIcon
        title={t('serverRooms.blocked', { hosts: blockers.hosts.length, systems: blockers.systems.length })}
      />
      {blockers.hosts.length > 0 && (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          title={() => t('serverRooms.blockingHosts')}
          dataSource={blockers.hosts}
          columns={[
            { title: t('serverRooms.hostname'), dataIndex: 'hostname', key: 'hostname' },
            {
              title: t('serverRooms.subjectStatus'),
              dataIndex: 'status',
              key: 'status',
              render: (s: string) => t(statusLabel(s)),
            },
            {
              title: t('serverRooms.hostSystems'),
              key: 'systems',
              render: (_, h) =>
                h.systems.map((s) => `${s.name}（${t(statusLabel(s.status))}）`).join('、') || '—',
            },
          ]}
        />
      )}
      {blockers.systems.length > 0 && (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          title={() => t('serverRooms.blockingSystems')}
          dataSource={blockers.systems}
          columns={[
            { title: t('serverRooms.systemName'), dataIndex: 'name', key: 'name' },
            {
              title: t('serverRooms.subjectStatus'),
              dataIndex: 'status',
              key: 'status',
              render: (s: string) => t(statusLabel(s)),
            },
          ]}
        />
      )}
    </Space>
  );
}

interface CloseForm {
  closedOn?: { format(pattern: string): string };
  note?: string;
}

/** Closes a room in `closing`: a refusal shows its blockers; a bad field shows next to it. */
function CloseRoom({ room, onDone }: { room: Room; onDone(closed: boolean): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<CloseForm>();
  const [blockers, setBlockers] = useState<Blockers | null>(null);
  const submitting = useFormSubmit(
    form,
    async (values) => {
      setBlockers(null);
      await api(`/server-rooms/${room.id}/close`, {
        method: 'POST',
        body: { closedOn: values.closedOn?.format('YYYY-MM-DD'), note: values.note || undefined },
      });
      onDone(true);
    },
    // A refusal for blockers is shown as the list of them, not as an error message.
    (err) => {
      const refused = err instanceof ApiError && err.status === 409 && err.body.blockers;
      if (refused) setBlockers(err.body.blockers as Blockers);
      return Boolean(refused);
    },
  );

  return (
    <FormModal
      title={t('serverRooms.closeTitle', { name: room.name })}
      okText={t('serverRooms.close')}
      width={760}
      form={form}
      submitting={submitting}
      onCancel={() => onDone(false)}
      after={blockers && <BlockerList blockers={blockers} />}
    >
      <Form.Item name="closedOn" label={t('serverRooms.closedOn')} extra={t('serverRooms.closedOnHint')}>
        <DatePicker />
      </Form.Item>
      <Form.Item name="note" label={t('serverRooms.note')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
    </FormModal>
  );
}

/** Server rooms with their closure-candidate flags; operators move them along the closure life cycle. */
export function ServerRooms() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { nameOf } = useDepartments();
  const [filters, setFilters] = useState<{ departmentId?: string; candidate?: 'true' | 'false' }>({});
  const [closing, setClosing] = useState<Room | null>(null);
  const list = useList<Room>('/server-rooms', { ...filters });
  // Auditors read the rooms; only operators move them along the life cycle.
  const mayMove = useMayWrite(['operator']);

  const move = async (room: Room, to: RoomStatus) => {
    try {
      await api(`/server-rooms/${room.id}/transitions`, { method: 'POST', body: { to } });
      message.success(t('serverRooms.moved', { name: room.name, status: t(`serverRooms.status.${to}`) }));
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
    await list.reload();
  };

  const columns: ColumnsType<Room> = [
    { title: t('serverRooms.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('serverRooms.department'),
      dataIndex: 'departmentId',
      key: 'dept',
      render: (id: string) => nameOf(id),
    },
    { title: t('serverRooms.racks'), dataIndex: 'racks', key: 'racks', align: 'right' },
    {
      title: t('serverRooms.pue'),
      dataIndex: 'pue',
      key: 'pue',
      align: 'right',
      render: (v: number | null) => v ?? '—',
    },
    {
      title: t('serverRooms.utilisation'),
      dataIndex: 'utilisationPercent',
      key: 'utilisation',
      align: 'right',
      render: (v: number | null) => (v === null ? '—' : `${v}%`),
    },
    {
      title: t('serverRooms.annualOmCost'),
      dataIndex: 'annualOmCost',
      key: 'cost',
      align: 'right',
      render: (cost: string) => formatMoney(cost),
    },
    {
      title: t('serverRooms.candidate'),
      key: 'candidate',
      render: (_, r) =>
        r.candidateFlags.map((f) => (
          <Tag key={f} color="volcano">
            {t(`serverRooms.flag.${f}` as MessageKey)}
          </Tag>
        )),
    },
    {
      title: t('serverRooms.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: RoomStatus, r) => (
        <Space orientation="vertical" size={0}>
          <Tag color={STATUS_COLORS[s]}>{t(`serverRooms.status.${s}`)}</Tag>
          {r.budgetStopsOn && t('serverRooms.budgetStops', { date: r.budgetStopsOn })}
        </Space>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, r) => (
        <Space wrap>
          {ROOM_TRANSITIONS[r.status].map((to) =>
            to === 'closed' ? (
              <Button key={to} size="small" danger onClick={() => setClosing(r)}>
                {t('serverRooms.close')}
              </Button>
            ) : (
              <Popconfirm
                key={to}
                title={t('serverRooms.moveConfirm', { name: r.name, status: t(`serverRooms.status.${to}`) })}
                okText={t('common.confirm')}
                cancelText={t('common.cancel')}
                onConfirm={() => move(r, to)}
              >
                <Button size="small">{t(`serverRooms.to.${to}`)}</Button>
              </Popconfirm>
            ),
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card title={t('serverRooms.title')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <DepartmentFilter
          label={t('serverRooms.department')}
          value={filters.departmentId}
          onChange={(departmentId) => setFilters((f) => ({ ...f, departmentId }))}
        />
        <FilterSelect
          label={t('serverRooms.candidate')}
          value={filters.candidate}
          onChange={(candidate) => setFilters((f) => ({ ...f, candidate }))}
          options={[
            { value: 'true', label: t('serverRooms.candidateOnly') },
            { value: 'false', label: t('serverRooms.notCandidate') },
          ]}
        />
        <Button onClick={() => void list.reload()}>{t('common.refresh')}</Button>
      </Space>
      {list.error && <Alert type="error" showIcon title={list.error} style={{ marginBottom: 16 }} />}
      <Table<Room>
        rowKey="id"
        columns={mayMove ? columns : columns.filter((c) => c.key !== 'actions')}
        dataSource={list.items}
        loading={list.loading}
        pagination={list.pagination}
        scroll={{ x: 'max-content' }}
      />
      {closing && (
        <CloseRoom
          room={closing}
          onDone={(closed) => {
            if (closed) message.success(t('serverRooms.closed', { name: closing.name }));
            setClosing(null);
            void list.reload();
          }}
        />
      )}
    </Card>
  );
}
