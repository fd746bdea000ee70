"""PLACEHOLDER: the insights helper writes FeedbackEvents (feedback)."""


class FeedbackEvents:
    pass
