import type { MessageKey } from './zh-CN';

// The English dictionary: the same keys as zh-CN.ts, in the same groups and order.
export const en: Record<MessageKey, string> = {
  // app
  'app.language': 'Language',
  'app.logout': 'Sign out',
  'app.notFound': 'Page not found',
  'app.title': 'Government Cloud Console',
  'app.unexpectedError': 'Request failed',

  // common
  'common.actions': 'Actions',
  'common.cancel': 'Cancel',
  'common.confirm': 'OK',
  'common.createdAt': 'Created',
  'common.filter': 'Filter',
  'common.name': 'Name',
  'common.refresh': 'Refresh',
  'common.reset': 'Reset',
  'common.search': 'Search',
  'common.submit': 'Submit',
  'common.total': '{total} in all',

  // login
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.subtitle': 'City government cloud management',
  'login.username': 'Username',

  // menu
  'menu.resources': 'My resources',

  // resource
  'resource.kind.container': 'Container',
  'resource.kind.vm': 'VM',
  'resource.state.deleted': 'Deleted',
  'resource.state.deleting': 'Deleting',
  'resource.state.failed': 'Failed',
  'resource.state.provisioning': 'Provisioning',
  'resource.state.queued': 'Queued',
  'resource.state.requested': 'Requested',
  'resource.state.running': 'Running',
  'resource.state.stopped': 'Stopped',

  // resources
  'resources.action.delete': 'Delete',
  'resources.action.deleteConfirm': 'Delete “{name}”? A deleted resource cannot be recovered.',
  'resources.action.done': 'Submitted: {name}',
  'resources.action.retry': 'Retry',
  'resources.action.start': 'Start',
  'resources.action.stop': 'Stop',
  'resources.kind': 'Kind',
  'resources.spec': 'Size',
  'resources.specValue': '{vcpu} vCPU / {memory} GiB memory / {storage} GiB storage',
  'resources.state': 'State',
  'resources.title': 'My resources',

  // role
  'role.auditor': 'Auditor',
  'role.dept-admin': 'Department admin',
  'role.finance': 'Finance',
  'role.operator': 'Cloud operator',
};
