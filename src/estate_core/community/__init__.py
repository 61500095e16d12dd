"""Community: Notice 公告, Activity 小区活动 and VisitorPass 访客通行证 (DESIGN.md §4)."""
