"""NiceGUI pages: decide who is acting, call services, render components."""

from pages import admin, auth_pages, password_pages, settings, tasks_page
from pages import desktop as desktop  # the desktop window's routes

__all__ = ['admin', 'auth_pages', 'password_pages', 'settings', 'tasks_page']
