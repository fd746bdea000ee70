"""PLACEHOLDER: the live-room helper writes QuestionEvents (ask, vote, moderate)."""


class QuestionEvents:
    pass
