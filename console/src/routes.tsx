import {
  AuditOutlined,
  BarChartOutlined,
  CloudServerOutlined,
  DatabaseOutlined,
  FormOutlined,
  HomeOutlined,
  PieChartOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from './api';
import type { MessageKey } from './i18n';
import { Inventory } from './pages/dept/Inventory';
import { QuotaRequests } from './pages/dept/QuotaRequests';
import { RequestResource } from './pages/dept/RequestResource';
import { Resources } from './pages/dept/Resources';
import { AuditLog } from './pages/operator/AuditLog';
import { MigrationStats } from './pages/operator/MigrationStats';
import { ServerRooms } from './pages/operator/ServerRooms';

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
  // operator
  {
    path: '/migration-stats',
    menu: 'menu.migrationStats',
    icon: <BarChartOutlined />,
    roles: ['operator'],
    element: <MigrationStats />,
  },
  {
    path: '/server-rooms',
    menu: 'menu.serverRooms',
    icon: <HomeOutlined />,
    roles: ['operator'],
    element: <ServerRooms />,
  },
  {
    path: '/audit',
    menu: 'menu.auditLog',
    icon: <AuditOutlined />,
    roles: ['operator', 'auditor'],
    element: <AuditLog />,
  },
  // finance
  // auditor
];

export const screensOf = (role: Role) => SCREENS.filter((screen) => screen.roles.includes(role));
