// The Chinese dictionary, the console's default language. Keys are grouped per screen (a prefix per
// screen, one block each) so screens added in parallel touch separate blocks; en.ts mirrors every key.
export const zhCN = {
  // app: the frame around every screen
  'app.language': '语言',
  'app.logout': '退出登录',
  'app.notFound': '页面不存在',
  'app.title': '政务云控制台',
  'app.unexpectedError': '请求失败',

  // common: words many screens share
  'common.actions': '操作',
  'common.cancel': '取消',
  'common.confirm': '确定',
  'common.createdAt': '创建时间',
  'common.filter': '筛选',
  'common.name': '名称',
  'common.refresh': '刷新',
  'common.reset': '重置',
  'common.search': '搜索',
  'common.submit': '提交',
  'common.total': '共 {total} 条',

  // login
  'login.password': '密码',
  'login.submit': '登录',
  'login.subtitle': '城市政务云统一管理平台',
  'login.username': '用户名',

  // menu: one entry per screen (routes.tsx)
  'menu.quotaRequests': '配额申请',
  'menu.request': '申请资源',
  'menu.resources': '我的资源',

  // quota: words about quotas, shared by the quota screens
  'quota.allocated': '已分配给下级',
  'quota.available': '剩余',
  'quota.dimension': '配额项',
  'quota.dimension.gpu': 'GPU（块）',
  'quota.dimension.instances': '实例数',
  'quota.dimension.memoryGiB': '内存（GiB）',
  'quota.dimension.publicIp': '公网 IP（个）',
  'quota.dimension.storageGiB': '存储（GiB）',
  'quota.dimension.vcpu': 'vCPU（核）',
  'quota.limit': '限额',
  'quota.used': '已使用',

  // quotaRequest: words about quota requests, shared by the requester's and the approver's screens
  'quotaRequest.state.approved': '已批准',
  'quotaRequest.state.pending': '待审批',
  'quotaRequest.state.rejected': '已驳回',

  // quotaRequests: the department's quota and its requests
  'quotaRequests.absolute': '请填写申请后的总限额（不是增量）。',
  'quotaRequests.ask': '申请配额',
  'quotaRequests.asked': '申请限额',
  'quotaRequests.comment': '审批意见',
  'quotaRequests.current': '本部门配额',
  'quotaRequests.granted': '批准限额',
  'quotaRequests.reason': '申请理由',
  'quotaRequests.state': '审批状态',
  'quotaRequests.submitted': '配额申请已提交，等待审批',
  'quotaRequests.title': '配额申请记录',

  // request: the request form of a VM or container
  'request.image': '镜像',
  'request.imageHintContainer': '容器镜像地址，例如 registry.gov.cn/app/web:1.2',
  'request.imageHintVm': '虚拟机镜像或模板名称，例如 debian-12',
  'request.nameHint': '在本部门未删除的资源中唯一，例如 人口库-db-01',
  'request.pool': '资源池',
  'request.poolAuto': '自动选择',
  'request.poolHint': '不选则由平台按资源池层级与剩余容量自动放置',
  'request.quotaLeft': '剩余配额',
  'request.replicas': '副本数',
  'request.submitted': '已提交申请：{name}',
  'request.title': '申请虚拟机或容器',

  // resource: words about VMs and containers, shared by the resource screens
  'resource.kind.container': '容器',
  'resource.kind.vm': '虚拟机',
  'resource.state.deleted': '已删除',
  'resource.state.deleting': '删除中',
  'resource.state.failed': '失败',
  'resource.state.provisioning': '创建中',
  'resource.state.queued': '排队中',
  'resource.state.requested': '已申请',
  'resource.state.running': '运行中',
  'resource.state.stopped': '已停止',

  // resources: the resource list
  'resources.action.delete': '删除',
  'resources.action.deleteConfirm': '确定删除“{name}”？删除后资源无法恢复。',
  'resources.action.done': '已提交：{name}',
  'resources.action.retry': '重试',
  'resources.action.start': '启动',
  'resources.action.stop': '停止',
  'resources.kind': '类型',
  'resources.request': '申请资源',
  'resources.spec': '规格',
  'resources.specValue': '{vcpu} 核 / {memory} GiB 内存 / {storage} GiB 存储',
  'resources.state': '状态',
  'resources.title': '我的资源',

  // role: the four roles' names
  'role.auditor': '审计员',
  'role.dept-admin': '部门管理员',
  'role.finance': '财务人员',
  'role.operator': '云平台运维',
} as const;

export type MessageKey = keyof typeof zhCN;
