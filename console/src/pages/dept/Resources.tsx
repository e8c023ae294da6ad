import { App, Button, Card, Input, Popconfirm, Space, Tag, Typography } from 'antd';
import type { TableColumnsType as ColumnsType } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api';
import { DepartmentFilter, useDepartments } from '../../components/departments';
import { FilterSelect } from '../../components/FilterSelect';
import { ListTable } from '../../components/ListTable';
import { useList } from '../../components/useList';
import { useI18n, type MessageKey } from '../../i18n';
import { RESOURCE_STATES, type ResourceKind, type ResourceSpec, type ResourceState } from '../../shared';

export interface Resource {
  id: string;
  departmentId: string;
  poolId: string;
  kind: ResourceKind;
  name: string;
  spec: ResourceSpec;
  state: ResourceState;
  desiredState: string;
  failureReason: string | null;
  createdAt: string;
}

const STATE_COLORS: Record<ResourceState, string> = {
  requested: 'default',
  queued: 'default',
  provisioning: 'processing',
  running: 'success',
  stopped: 'warning',
  deleting: 'processing',
  deleted: 'default',
  failed: 'error',
};

type Action = 'stop' | 'start' | 'retry' | 'delete';

/** What the owner may ask in each state (the API's life cycle, src/modules/provisioning). */
function actionsFor(state: ResourceState): Action[] {
  switch (state) {
    case 'running':
      return ['stop', 'delete'];
    case 'stopped':
      return ['start', 'delete'];
    case 'failed':
      return ['retry', 'delete'];
    case 'queued':
    case 'provisioning':
      return ['delete'];
    default:
      return [];
  }
}

export const stateLabel = (state: ResourceState): MessageKey => `resource.state.${state}`;

interface Filters {
  state?: ResourceState;
  kind?: ResourceKind;
  name?: string;
  departmentId?: string;
  poolId?: string;
}

/** The department and pool columns and filters of the cloud-wide list: names by id. */
function useOwners(cloud: boolean) {
  const { nameOf } = useDepartments(cloud);
  const [pools, setPools] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    if (cloud) api<{ id: string; name: string }[]>('/pools').then(setPools, () => undefined);
  }, [cloud]);
  const poolName = useMemo(() => new Map(pools.map((p) => [p.id, p.name])), [pools]);
  return { nameOf, pools, poolName };
}

/**
 * The department's VMs and containers with their live state, and what can be done to each; with
 * `cloud`, every resource of the cloud (operators), with its department and pool and filters on both.
 */
export function Resources({ cloud = false }: { cloud?: boolean }) {
  const { t, time } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>({});
  const list = useList<Resource>('/resources', { ...filters }, 3000);
  const owners = useOwners(cloud);

  const act = async (resource: Resource, action: Action) => {
    try {
      if (action === 'delete') await api(`/resources/${resource.id}`, { method: 'DELETE' });
      else await api(`/resources/${resource.id}/${action}`, { method: 'POST' });
      message.success(t('resources.action.done', { name: resource.name }));
    } catch (error) {
      message.error(error instanceof Error ? error.message : String(error));
    }
    await list.reload();
  };

  const ownerColumns: ColumnsType<Resource> = [
    {
      title: t('resources.department'),
      dataIndex: 'departmentId',
      key: 'departmentId',
      render: (id: string) => owners.nameOf(id),
    },
    {
      title: t('resources.pool'),
      dataIndex: 'poolId',
      key: 'poolId',
      render: (id: string | null) => (id ? (owners.poolName.get(id) ?? id) : '—'),
    },
  ];
  const columns: ColumnsType<Resource> = [
    { title: t('common.name'), dataIndex: 'name', key: 'name' },
    ...(cloud ? ownerColumns : []),
    {
      title: t('resources.kind'),
      dataIndex: 'kind',
      key: 'kind',
      render: (kind: ResourceKind) => t(`resource.kind.${kind}`),
    },
    {
      title: t('resources.spec'),
      key: 'spec',
      render: (_, r) =>
        t('resources.specValue', { vcpu: r.spec.vcpu, memory: r.spec.memoryGiB, storage: r.spec.storageGiB }),
    },
    {
      title: t('resources.state'),
      dataIndex: 'state',
      key: 'state',
      render: (state: ResourceState, r) => (
        <Space orientation="vertical" size={0}>
          <Tag color={STATE_COLORS[state]} data-state={state}>
            {t(stateLabel(state))}
          </Tag>
          {state === 'failed' && r.failureReason && (
            <Typography.Text type="danger">{r.failureReason}</Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (at: string) => time(at),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, r) => (
        <Space>
          {actionsFor(r.state).map((action) =>
            action === 'delete' ? (
              <Popconfirm
                key={action}
                title={t('resources.action.deleteConfirm', { name: r.name })}
                okText={t('common.confirm')}
                cancelText={t('common.cancel')}
                onConfirm={() => act(r, action)}
              >
                <Button size="small" danger>
                  {t('resources.action.delete')}
                </Button>
              </Popconfirm>
            ) : (
              <Button key={action} size="small" onClick={() => act(r, action)}>
                {t(`resources.action.${action}`)}
              </Button>
            ),
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t(cloud ? 'resources.cloudTitle' : 'resources.title')}
      extra={
        !cloud && (
          <Button type="primary" onClick={() => navigate('/resources/new')}>
            {t('resources.request')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        {cloud && (
          <>
            <DepartmentFilter
              label={t('resources.department')}
              value={filters.departmentId}
              onChange={(departmentId) => setFilters((f) => ({ ...f, departmentId }))}
            />
            <FilterSelect
              label={t('resources.pool')}
              value={filters.poolId}
              onChange={(poolId) => setFilters((f) => ({ ...f, poolId }))}
              options={owners.pools.map((p) => ({ value: p.id, label: p.name }))}
              width={200}
            />
          </>
        )}
        <FilterSelect
          label={t('resources.state')}
          value={filters.state}
          onChange={(state) => setFilters((f) => ({ ...f, state }))}
          options={RESOURCE_STATES.map((s) => ({ value: s, label: t(stateLabel(s)) }))}
        />
        <FilterSelect
          label={t('resources.kind')}
          value={filters.kind}
          onChange={(kind) => setFilters((f) => ({ ...f, kind }))}
          options={(['vm', 'container'] as const).map((k) => ({ value: k, label: t(`resource.kind.${k}`) }))}
        />
        <Input.Search
          allowClear
          placeholder={t('common.name')}
          onSearch={(name) => setFilters((f) => ({ ...f, name: name || undefined }))}
          style={{ width: 220 }}
        />
        <Button onClick={() => void list.reload()}>{t('common.refresh')}</Button>
      </Space>
      <ListTable list={list} columns={columns} />
    </Card>
  );
}
