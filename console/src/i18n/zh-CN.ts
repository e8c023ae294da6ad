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
  'menu.resources': '我的资源',

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
