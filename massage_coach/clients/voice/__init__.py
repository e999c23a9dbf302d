"""Hands-free voice front end: speaks the assistant's answers and hears spoken commands offline."""
