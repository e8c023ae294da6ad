import {
  AccountBookOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CloudServerOutlined,
  ClusterOutlined,
  DatabaseOutlined,
  FormOutlined,
  FundOutlined,
  HomeOutlined,
  InboxOutlined,
  LineChartOutlined,
  PieChartOutlined,
  RiseOutlined,
  ScheduleOutlined,
  TagsOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from './api';
import type { MessageKey } from './i18n';
import { Inventory } from './pages/dept/Inventory';
import { MigrationProgress } from './pages/dept/MigrationProgress';
import { QuotaRequests } from './pages/dept/QuotaRequests';
import { RequestResource } from './pages/dept/RequestResource';
import { Resources } from './pages/dept/Resources';
import { Budgets } from './pages/finance/Budgets';
import { FiscalEffect } from './pages/finance/FiscalEffect';
import { RebillRun } from './pages/finance/RebillRun';
import { RateCards } from './pages/finance/RateCards';
import { Rebills } from './pages/finance/Rebills';
import { UsageReport } from './pages/finance/UsageReport';
import { AuditLog } from './pages/operator/AuditLog';
import { Departments } from './pages/operator/Departments';
import { MigrationStats } from './pages/operator/MigrationStats';
import { Pools } from './pages/operator/Pools';
import { QuotaInbox } from './pages/operator/QuotaInbox';
import { ServerRooms } from './pages/operator/ServerRooms';
import { Waves } from './pages/operator/Waves';

/** A screen of the console: its path, its menu entry and who may open it. */
export interface Screen {
  path: string;
  /** The menu label; screens with `hidden` (detail pages) have none shown. */
  menu: MessageKey;
  icon: ReactNode;
  roles: readonly Role[];
  element: ReactNode;
  hidden?: boolean;
}

// Every screen, one line each, grouped by the role it is mainly for. The side menu shows the screens of
// the signed-in user's role, in this order; the first one is the role's home page.
export const SCREENS: readonly Screen[] = [
  // dept-admin
  {
    path: '/resources',
    menu: 'menu.resources',
    icon: <CloudServerOutlined />,
    roles: ['dept-admin'],
    element: <Resources />,
  },
  {
    path: '/resources/new',
    menu: 'menu.request',
    icon: <FormOutlined />,
    roles: ['dept-admin'],
    element: <RequestResource />,
  },
  {
    path: '/quota-requests',
    menu: 'menu.quotaRequests',
    icon: <PieChartOutlined />,
    roles: ['dept-admin'],
    element: <QuotaRequests />,
  },
  {
    path: '/inventory',
    menu: 'menu.inventory',
    icon: <DatabaseOutlined />,
    roles: ['dept-admin'],
    element: <Inventory />,
  },
  {
    path: '/migration-progress',
    menu: 'menu.migrationProgress',
    icon: <RiseOutlined />,
    roles: ['dept-admin'],
    element: <MigrationProgress />,
  },
  // operator
  {
    path: '/approvals',
    menu: 'menu.approvals',
    icon: <InboxOutlined />,
    roles: ['operator'],
    element: <QuotaInbox />,
  },
  {
    path: '/departments',
    menu: 'menu.departments',
    icon: <ApartmentOutlined />,
    roles: ['operator'],
    element: <Departments />,
  },
  {
    path: '/pools',
    menu: 'menu.pools',
    icon: <DatabaseOutlined />,
    roles: ['operator'],
    element: <Pools />,
  },
  {
    path: '/cloud-resources',
    menu: 'menu.cloudResources',
    icon: <ClusterOutlined />,
    roles: ['operator'],
    element: <Resources cloud />,
  },
  {
    path: '/waves',
    menu: 'menu.waves',
    icon: <ScheduleOutlined />,
    roles: ['operator'],
    element: <Waves />,
  },
  {
    path: '/migration-stats',
    menu: 'menu.migrationStats',
    icon: <BarChartOutlined />,
    roles: ['operator', 'auditor'],
    element: <MigrationStats />,
  },
  {
    path: '/server-rooms',
    menu: 'menu.serverRooms',
    icon: <HomeOutlined />,
    roles: ['operator', 'auditor'],
    element: <ServerRooms />,
  },
  {
    path: '/audit',
    menu: 'menu.auditLog',
    icon: <AuditOutlined />,
    roles: ['operator', 'auditor'],
    element: <AuditLog />,
  },
  // finance (auditors read every finance screen; the screens hide write actions from them)
  {
    path: '/rebills',
    menu: 'menu.rebills',
    icon: <AccountBookOutlined />,
    roles: ['finance', 'operator', 'auditor'],
    element: <Rebills />,
  },
  {
    path: '/rebills/:id',
    menu: 'menu.rebills',
    icon: <AccountBookOutlined />,
    roles: ['finance', 'operator', 'auditor'],
    element: <RebillRun />,
    hidden: true,
  },
  {
    path: '/reports/usage',
    menu: 'menu.usageReport',
    icon: <LineChartOutlined />,
    roles: ['finance', 'operator', 'auditor'],
    element: <UsageReport />,
  },
  {
    path: '/reports/budgets',
    menu: 'menu.budgets',
    icon: <WalletOutlined />,
    roles: ['finance', 'operator', 'auditor'],
    element: <Budgets />,
  },
  {
    path: '/reports/fiscal-effect',
    menu: 'menu.fiscalEffect',
    icon: <FundOutlined />,
    roles: ['finance', 'operator', 'auditor'],
    element: <FiscalEffect />,
  },
  {
    path: '/rate-cards',
    menu: 'menu.rateCards',
    icon: <TagsOutlined />,
    roles: ['finance', 'operator', 'auditor'],
    element: <RateCards />,
  },
  // auditor: reads the operator and finance screens above (which hide their write actions from it)
];

export const screensOf = (role: Role) => SCREENS.filter((screen) => screen.roles.includes(role));
