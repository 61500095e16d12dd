"""Service: WorkOrder 报修工单 and Complaint 投诉建议, their timelines and statistics."""
