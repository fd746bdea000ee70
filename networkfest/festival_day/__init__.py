"""Festival day: the front page and the marks of time and place on the programme's pages.

A read-only slice that composes the ones below it (programme, timing, registration, live,
insights) into what a visitor needs on the day: what is live now, what starts next, their
own next session. It owns no data.
"""
