import { Alert, App, Button, Card, Col, Empty, Form, InputNumber, Row, Tag, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { useMemo, useState } from 'react';
import { api } from '../../api';
import { useDepartments, type Department } from '../../components/departments';
import { QuotaTable } from '../../components/QuotaTable';
import { useApi } from '../../components/useApi';
import { useFormSubmit } from '../../components/useFormSubmit';
import { useI18n } from '../../i18n';
import { QUOTA_DIMENSIONS, type QuotaAmounts, type QuotaView } from '../../shared';

/** The department list (parents first, by path) as a tree. */
export function treeOf(departments: Department[], nameOf: (id: string) => string): TreeDataNode[] {
  const nodes = new Map<string, TreeDataNode & { children: TreeDataNode[] }>();
  const roots: TreeDataNode[] = [];
  for (const d of departments) {
    const node = { key: d.id, title: nameOf(d.id), children: [] };
    nodes.set(d.id, node);
    const parent = d.parentId ? nodes.get(d.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** A department's quota and the form that sets its limits (absolute; left-out dimensions keep theirs). */
function DepartmentQuota({ department, name }: { department: Department; name: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const quota = useApi<QuotaView>(`/departments/${department.id}/quota`);
  const [form] = Form.useForm<{ limits: Partial<Record<keyof QuotaAmounts, number | null>> }>();
  const { busy, error, submit } = useFormSubmit(form, async ({ limits }) => {
    const changed = Object.fromEntries(
      QUOTA_DIMENSIONS.filter(
        (d) => typeof limits[d] === 'number' && limits[d] !== quota.data?.limits[d],
      ).map((d) => [d, limits[d]]),
    );
    await api(`/departments/${department.id}/quota`, { method: 'PUT', body: { limits: changed } });
    message.success(t('departments.saved', { name }));
    await quota.reload();
  });

  return (
    <Card
      title={name}
      extra={
        <Typography.Text type="secondary">
          {department.code} · {t(`departments.kind.${department.kind}`)}
          {department.critical && (
            <Tag color="red" style={{ marginLeft: 8 }}>
              {t('departments.critical')}
            </Tag>
          )}
        </Typography.Text>
      }
    >
      {quota.error && <Alert type="error" showIcon title={quota.error} />}
      {quota.data && (
        <>
          <QuotaTable quota={quota.data} />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('departments.setLimits')}
          </Typography.Title>
          <Form
            key={department.id}
            form={form}
            layout="inline"
            initialValues={{ limits: quota.data.limits }}
            onFinish={(values) => void submit(values)}
          >
            {QUOTA_DIMENSIONS.map((d) => (
              <Form.Item
                key={d}
                name={['limits', d]}
                label={t(`quota.dimension.${d}`)}
                style={{ marginBottom: 12 }}
              >
                <InputNumber min={0} precision={0} style={{ width: 120 }} />
              </Form.Item>
            ))}
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>
                {t('departments.save')}
              </Button>
            </Form.Item>
          </Form>
          <Typography.Paragraph type="secondary">{t('departments.limitsHint')}</Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} />}
        </>
      )}
    </Card>
  );
}

/** The department tree; choosing one shows its quota (use, handed down, left) and sets its limits. */
export function Departments() {
  const { t } = useI18n();
  const { departments, nameOf } = useDepartments();
  const [selected, setSelected] = useState<string>();
  const tree = useMemo(() => treeOf(departments, nameOf), [departments, nameOf]);
  const department = departments.find((d) => d.id === selected);
  return (
    <Row gutter={16}>
      <Col xs={24} lg={8}>
        <Card title={t('departments.title')}>
          {/* Mounted once the list is in: defaultExpandAll applies to the first data only. */}
          {tree.length > 0 && (
            <Tree
              showLine
              defaultExpandAll
              treeData={tree}
              selectedKeys={selected ? [selected] : []}
              onSelect={(keys) => setSelected(keys[0] as string | undefined)}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={16}>
        {department ? (
          <DepartmentQuota key={department.id} department={department} name={nameOf(department.id)} />
        ) : (
          <Card>
            <Empty description={t('departments.choose')} />
          </Card>
        )}
      </Col>
    </Row>
  );
}
