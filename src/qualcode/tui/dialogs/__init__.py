"""Small modal dialogs: confirm, memo editor, code picker, prompts, progress."""
