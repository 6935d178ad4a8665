"""NiceGUI pages: decide who is acting, call services, render components."""

from pages import auth_pages, tasks_page

__all__ = ['auth_pages', 'tasks_page']
