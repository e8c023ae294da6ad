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
  'menu.quotaRequests': 'Quota requests',
  'menu.request': 'Request a resource',
  'menu.resources': 'My resources',

  // quota
  'quota.allocated': 'Handed to sub-departments',
  'quota.available': 'Left',
  'quota.dimension': 'Dimension',
  'quota.dimension.gpu': 'GPUs',
  'quota.dimension.instances': 'Instances',
  'quota.dimension.memoryGiB': 'Memory (GiB)',
  'quota.dimension.publicIp': 'Public IPs',
  'quota.dimension.storageGiB': 'Storage (GiB)',
  'quota.dimension.vcpu': 'vCPUs',
  'quota.limit': 'Limit',
  'quota.used': 'Used',

  // quotaRequest
  'quotaRequest.state.approved': 'Approved',
  'quotaRequest.state.pending': 'Pending',
  'quotaRequest.state.rejected': 'Rejected',

  // quotaRequests
  'quotaRequests.absolute': 'Enter the total limits you need (not increments).',
  'quotaRequests.ask': 'Request quota',
  'quotaRequests.asked': 'Limits asked',
  'quotaRequests.comment': 'Decision comment',
  'quotaRequests.current': 'Department quota',
  'quotaRequests.granted': 'Limits granted',
  'quotaRequests.reason': 'Reason',
  'quotaRequests.state': 'State',
  'quotaRequests.submitted': 'Quota request submitted for approval',
  'quotaRequests.title': 'Quota requests',

  // request
  'request.image': 'Image',
  'request.imageHintContainer': 'Container image, e.g. registry.gov.cn/app/web:1.2',
  'request.imageHintVm': 'VM image or template name, e.g. debian-12',
  'request.nameHint': 'Unique among the department’s live resources, e.g. census-db-01',
  'request.pool': 'Pool',
  'request.poolAuto': 'Automatic',
  'request.poolHint': 'Left empty, placement picks a pool by tier and free capacity',
  'request.quotaLeft': 'Quota left',
  'request.replicas': 'Replicas',
  'request.submitted': 'Requested: {name}',
  'request.title': 'Request a VM or container',

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
  'resources.request': 'Request a resource',
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
