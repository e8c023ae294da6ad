import { LogoutOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, Space, Tag, Typography } from 'antd';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth';
import { useI18n } from '../i18n';
import { screensOf } from '../routes';
import { LanguageSwitch } from './LanguageSwitch';

/** The frame of every signed-in screen: the role's menu on the side, language and user on top. */
export function AppLayout() {
  const { user, logout } = useAuth();
  const { t } = useI18n();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  if (!user) return null;
  const screens = screensOf(user.role).filter((s) => !s.hidden);
  // The longest path that matches wins: /resources/new is its own entry, not /resources.
  const selected = screens
    .filter((s) => pathname === s.path || pathname.startsWith(`${s.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={220} theme="light" breakpoint="lg" collapsedWidth={64}>
        <Typography.Title level={5} style={{ padding: '20px 16px 8px', margin: 0 }}>
          {t('app.title')}
        </Typography.Title>
        <Menu
          mode="inline"
          selectedKeys={selected ? [selected.path] : []}
          onClick={({ key }) => navigate(key)}
          items={screens.map((s) => ({ key: s.path, icon: s.icon, label: t(s.menu) }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: '#fff', display: 'flex', justifyContent: 'flex-end', alignItems: 'center' }}
        >
          <Space size="middle">
            <LanguageSwitch />
            <span data-testid="current-user">{user.username}</span>
            <Tag color="blue">{t(`role.${user.role}`)}</Tag>
            <Button icon={<LogoutOutlined />} onClick={logout}>
              {t('app.logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
