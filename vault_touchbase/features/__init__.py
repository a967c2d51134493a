"""What vtb knows how to do with people, without committing anything: introductions,
drafts, the merge driver's logic, a timeline, and files of people in and out (formats/).
"""
