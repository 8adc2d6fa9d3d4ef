"""The catalogue of audit actions: every action code written to the audit log, with the name
the audit page shows (translatable). tests/auditing/test_audit_actions.py collects every code the
code base writes and fails if one is missing here.

Codes built at run time (``case.<transition>``, ``members.transfer_<step>``,
``rosters.import_<kind>``...) are listed one by one; ``admin.<add|change|delete>.<model>``
rows of the admin site are named by ``action_label``."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # accounts
    "accounts.password_change": _("修改密码"),
    "accounts.resident_register": _("居民注册"),
    "accounts.token_create": _("创建 API 令牌"),
    "accounts.token_revoke": _("停用 API 令牌"),
    "admin.password_reset": _("管理后台重置密码"),
    # 预警
    "alerts.acknowledge": _("签收预警"),
    "alerts.rule_save": _("修改预警规则"),
    # the audit log itself
    "audit.export": _("导出审计日志"),
    # aid (党员互助金)
    "aid.fund_create": _("设立党员互助金"),
    "aid.income": _("登记互助金收入"),
    "aid.donation": _("登记党员捐助"),
    "aid.donation_import": _("导入党员捐助"),
    "aid.reversal": _("冲正互助金收入"),
    "aid.hardship_add": _("列入困难党员名册"),
    "aid.apply": _("申请互助金"),
    "aid.review": _("支部审核互助金申请"),
    "aid.decide": _("管委会审批互助金申请"),
    "aid.objection": _("对互助金公示提出异议"),
    "aid.objection_answer": _("答复互助金公示异议"),
    "aid.pay": _("发放互助金"),
    # cases
    "case.report": _("上报事件"),
    "case.photos": _("补充事件照片"),
    "case.grid_call": _("网格呼叫"),
    "case.grid_resolve": _("就地解决"),
    "case.accept": _("受理事件"),
    "case.dispatch": _("派遣事件"),
    "case.claim": _("部门报到"),
    "case.return": _("退回事件"),
    "case.resolve": _("办结事件"),
    "case.verify": _("核查通过"),
    "case.reject": _("核查不通过"),
    "case.close": _("结案"),
    "case.escalate": _("吹哨上报"),
    "case.cancel": _("撤销事件"),
    "case.merge": _("合并重复事件"),
    "case.rate": _("评价事件办理"),
    "case.note": _("添加事件备注"),
    "case.sweep": _("超期催办、督办"),
    "case.agency_member": _("登记部门处置人员"),
    "open311.key_issue": _("签发 Open311 密钥"),
    "open311.key_revoke": _("吊销 Open311 密钥"),
    # centers
    "centers.center_create": _("新建党群服务中心"),
    "centers.center_update": _("修改党群服务中心"),
    "centers.phone_reveal": _("查看服务中心完整电话"),
    "centers.room_create": _("新建活动室"),
    "centers.item_create": _("新建服务项目"),
    "centers.booking_create": _("预约活动室"),
    "centers.booking_cancel": _("取消预约"),
    "centers.event_create": _("登记服务中心活动"),
    "centers.social_org_create": _("登记社会组织"),
    "centers.social_org_update": _("修改社会组织"),
    # demo
    "demo.generate": _("生成演示数据"),
    "insights.boundaries_load": _("导入区域边界"),
    # grids
    "grids.create": _("新建网格"),
    "grids.update": _("修改网格"),
    "grids.instructor_set": _("设置网格党建指导员"),
    "grids.instructor_replace": _("更换网格党建指导员"),
    "grids.worker_add": _("增加网格员"),
    "grids.worker_remove": _("移除网格员"),
    "grids.member_assign": _("党员编入网格"),
    "grids.member_unassign": _("党员移出网格"),
    "grids.assign_by_residence": _("按居住地编入网格"),
    "grids.assign_by_work_unit": _("按工作单位编入网格"),
    # meetings
    "meetings.plan": _("计划组织生活"),
    "meetings.update": _("修改组织生活"),
    "meetings.cancel": _("取消组织生活"),
    "meetings.record": _("记录组织生活"),
    "meetings.check_in": _("组织生活签到"),
    "meetings.roll_call_undo": _("撤销点名"),
    "meetings.guest_add": _("登记列席人员"),
    "meetings.attach": _("上传会议附件"),
    "meetings.review": _("审核组织生活"),
    "meetings.series_create": _("新建周期性组织生活"),
    "meetings.feed_rotate": _("更换日历订阅地址"),
    "meetings.counts_refresh": _("重算组织生活应到、实到人数"),
    "meetings.hold_on_site": _("现场打卡计为已召开"),
    # members
    "members.create": _("登记党员"),
    "members.update": _("修改党员信息"),
    "members.reveal_pii": _("查看完整号码"),
    "members.search_pii": _("按号码查找"),
    "members.pii_rekey": _("更换个人信息密钥"),
    "members.duplicate_refused": _("拒绝重复登记"),
    "inbox.preferences": _("修改消息接收设置"),
    "inbox.read": _("阅读消息"),
    "inbox.read_all": _("全部消息标为已读"),
    "members.dues_base": _("登记党费基数"),
    "members.dues_import": _("导入党费基数"),
    "members.dues_payment": _("登记党费缴纳"),
    "members.dues_reversal": _("冲正党费缴纳"),
    "members.transfer_request": _("申请转接组织关系"),
    "members.transfer_create": _("开具组织关系转接"),
    "members.transfer_submit": _("提交组织关系转接"),
    "members.transfer_approve": _("同意组织关系转接"),
    "members.transfer_reject": _("退回组织关系转接"),
    "members.transfer_withdraw": _("撤回组织关系转接"),
    "members.transfer_complete": _("完成组织关系转接"),
    "members.transfer_expire": _("组织关系介绍信过期"),
    "members.transfer_in": _("转入党员"),
    "members.dual_report_create": _("登记双报到"),
    "members.dual_report_accept": _("社区接收双报到"),
    "members.dual_report_decline": _("社区退回双报到"),
    "members.dual_report_end": _("结束双报到"),
    "members.dual_report_hours": _("登记双报到服务时长"),
    # organizations
    "orgs.create": _("新建党组织"),
    "orgs.update": _("修改党组织"),
    "orgs.move": _("调整隶属关系"),
    "orgs.leadership_add": _("登记班子成员"),
    "orgs.unit_create": _("登记单位"),
    "orgs.unit_update": _("修改单位"),
    # projects
    "projects.suggestion_submit": _("居民在线提交建议"),
    "projects.suggestion_enter": _("录入会议收集的建议"),
    "projects.suggestion_decline": _("不采纳建议"),
    "projects.create": _("新建微项目"),
    "projects.budget_line_add": _("登记项目预算"),
    "projects.activity_add": _("登记项目活动"),
    "projects.complete": _("微项目完成"),
    "projects.signup": _("报名微项目"),
    "projects.rate": _("评价微项目"),
    # 千分制与述职评议
    "appraisal.indicator_set_create": _("新建千分制考评标准"),
    "appraisal.indicator_add": _("添加考评指标"),
    "appraisal.indicator_set_publish": _("发布千分制考评标准"),
    "appraisal.assessment_open": _("开始季度考评"),
    "appraisal.self_score_save": _("保存自评分"),
    "appraisal.self_score_submit": _("提交自评"),
    "appraisal.assessor_score_save": _("保存上级考评分"),
    "appraisal.assessment_assess": _("确认考评分并进入申诉期"),
    "appraisal.appeal_file": _("提出考评申诉"),
    "appraisal.appeal_decide": _("处理考评申诉"),
    "appraisal.assessment_finalize": _("千分制考评定分"),
    "appraisal.review_create": _("新建述职评议"),
    "appraisal.rater_add": _("添加评议人"),
    "appraisal.reporter_add": _("添加述职单位"),
    "appraisal.report_save": _("保存述职报告"),
    "appraisal.ballot_cast": _("述职评议投票"),
    "appraisal.ballot_enter": _("录入纸质评议票"),
    "appraisal.item_add": _("添加整改事项"),
    "appraisal.item_progress": _("更新整改进度"),
    # 协商议事
    "deliberation.forum_create": _("新建议事平台"),
    "deliberation.household_register": _("登记议事住户"),
    "deliberation.topic_raise": _("提出议题"),
    "deliberation.topic_enter": _("登记议题"),
    "deliberation.topic_from_source": _("转为议题"),
    "deliberation.topic_accept": _("受理议题"),
    "deliberation.topic_merge": _("合并议题"),
    "deliberation.topic_refer": _("议题转办"),
    "deliberation.topic_decide": _("议定议题"),
    "deliberation.session_schedule": _("安排议事会"),
    "deliberation.session_checkin": _("议事会签到"),
    "deliberation.session_card_checkin": _("议事会刷党员卡签到"),
    "deliberation.session_minutes": _("保存议事会纪要"),
    "deliberation.vote_create": _("发起表决"),
    "deliberation.vote_open": _("开始表决"),
    "deliberation.ballot_cast": _("议事表决投票"),
    "deliberation.ballot_enter_paper": _("录入纸质表决票"),
    "deliberation.vote_close": _("结束表决并计票"),
    "deliberation.action_add": _("添加办理事项"),
    "deliberation.action_progress": _("更新办理进度"),
    "deliberation.rating_submit": _("评价议事结果"),
    "deliberation.rating_close": _("结束议事评价"),
    # 小微权力清单
    "powers.catalogue_load": _("载入小微权力清单"),
    "powers.item_update": _("修改权力事项"),
    "powers.step_update": _("修改权力流程环节"),
    "powers.instance_create": _("登记权力运行"),
    "powers.instance_start": _("启动权力运行"),
    "powers.document_attach": _("上传环节材料"),
    "powers.instance_advance": _("办理权力流程环节"),
    "powers.objection_file": _("提出公示异议"),
    "powers.objection_answer": _("答复公示异议"),
    # rosters
    "rosters.upload": _("上传名册"),
    "rosters.cancel": _("取消名册导入"),
    "rosters.import_members": _("导入党员名册"),
    "rosters.import_orgs": _("导入党组织名册"),
    "rosters.export_members": _("导出党员名册"),
    # sharing
    "sharing.listing_create": _("发布共享信息"),
    "sharing.listing_withdraw": _("撤下共享信息"),
    "sharing.listing_report": _("举报共享信息"),
    "sharing.listing_restore": _("恢复显示共享信息"),
    "sharing.listing_remove": _("下架共享信息"),
    "sharing.match_propose": _("发起共享对接"),
    "sharing.match_confirm": _("确认共享对接"),
    "sharing.match_cancel": _("取消共享对接"),
    "sharing.match_complete": _("完成共享对接"),
    "sharing.match_feedback": _("评价共享对接"),
    "sharing.reveal_contact": _("查看对接联系方式"),
    # visits
    "visits.record": _("记录三访"),
    "visits.problem_raise": _("登记走访问题"),
    "visits.problem_resolve": _("解决走访问题"),
    "visits.problem_to_case": _("走访问题转为事件"),
    "visits.assignment_create": _("分配联系户"),
    "visits.assignment_update": _("修改联系户"),
    "visits.assignment_end": _("结束联系户"),
    "visits.post_create": _("新建巡查岗"),
    "visits.post_update": _("修改巡查岗"),
    "visits.post_end": _("撤销巡查岗"),
    # red sites (初心图谱)
    "redmap.site_create": _("新建红色基地"),
    "redmap.site_update": _("修改红色基地"),
    "redmap.site_file": _("上传红色基地照片或附件"),
    "redmap.door_reset": _("更换红色基地打卡码"),
    "redmap.lesson_create": _("发布初心学堂课程"),
    "redmap.route_create": _("发布初心之旅线路"),
    "redmap.visit_book": _("预约集体参观红色基地"),
    "redmap.visit_cancel": _("取消集体参观预约"),
    "redmap.checkin": _("红色基地打卡"),
    # volunteering
    "volunteering.team_create": _("新建志愿服务队"),
    "volunteering.activity_create": _("发布志愿活动"),
    "volunteering.signup": _("报名志愿活动"),
    "volunteering.signup_cancel": _("取消报名"),
    "volunteering.signup_promoted": _("候补转为报名"),
    "volunteering.check_in": _("志愿活动签到"),
    "volunteering.hours": _("登记志愿服务时长"),
    "volunteering.hours_correct": _("更正志愿服务时长"),
    # points
    "points.collect": _("汇集活动积分"),
    "points.recompute": _("重算月度积分"),
    "points.rule_version": _("修订积分规则"),
    "points.rule_set_override": _("设置下级组织积分规则"),
    "points.award_propose": _("提名加分"),
    "points.award_claim": _("本人申报积分"),
    "points.award_approve": _("批准积分申报"),
    "points.award_reject": _("退回积分申报"),
    "points.entry_reverse": _("更正积分"),
    "points.period_close": _("积分月度结账"),
    "points.review_open": _("开展民主评议党员"),
    "points.review_self": _("提交个人自评"),
    "points.review_ballot": _("民主评议互评投票"),
    "points.review_propose": _("支委会提出评议等次意见"),
    "points.review_decide": _("党员大会决定评议等次"),
}

ADMIN_VERBS = {"add": _("新增"), "change": _("修改"), "delete": _("删除")}


def action_label(action: str) -> str:
    """The name of an action for people. An admin site row names the verb and the model
    (``admin.change.orgs.organization`` → 管理后台：修改 党组织)."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.startswith("admin."):
        verb, _sep, label = action.removeprefix("admin.").partition(".")
        model = _model_name(label)
        if verb in ADMIN_VERBS and model:
            return str(_("管理后台：%(verb)s%(model)s")) % {
                "verb": ADMIN_VERBS[verb],
                "model": model,
            }
        return str(_("管理后台：%(action)s")) % {"action": action.removeprefix("admin.")}
    return action


def _model_name(label: str) -> str:
    try:
        # any model of any app, named by its label: a lookup in the registry, not an import
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return ""
