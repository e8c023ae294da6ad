import { Alert, Table, type TableColumnsType } from 'antd';
import type { ListState } from './useList';

/** A table over a `useList` result: server-side paging, loading state, and the API's error above it. */
export function ListTable<T extends { id: string }>({
  list,
  columns,
}: {
  list: ListState<T>;
  columns: TableColumnsType<T>;
}) {
  return (
    <>
      {list.error && <Alert type="error" showIcon title={list.error} style={{ marginBottom: 16 }} />}
      <Table<T>
        rowKey="id"
        columns={columns}
        dataSource={list.items}
        loading={list.loading}
        pagination={list.pagination}
      />
    </>
  );
}
