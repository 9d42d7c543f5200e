# Sessions, attendance, minutes and agreements arrive with their own issue.
