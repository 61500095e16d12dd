"""Engagement: what residents and staff use beside bills and repairs (seeds 001, 002, 003).

Satisfaction surveys 满意度测评 and platform feedback 问题反馈. Each aggregate has its own
module, with its state machine as one transition table.
"""
