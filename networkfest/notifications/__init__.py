"""Telling people what concerns them: reminders, feedback requests, change and promotion notices."""
