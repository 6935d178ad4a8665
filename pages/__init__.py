"""NiceGUI pages: decide who is acting, call services, render components."""

from pages import auth_pages, settings, tasks_page
from pages import desktop as desktop  # the desktop window's routes

__all__ = ['auth_pages', 'settings', 'tasks_page']
