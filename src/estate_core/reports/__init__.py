"""Reports 报表: collection rate 收缴率, arrears 欠费, income detail 收入明细, service statistics.

Reports are read models: each is one query of the :class:`ports.ReportQueries` port that the
database answers (grouping and summing there), never a loop over loaded aggregates.
"""
