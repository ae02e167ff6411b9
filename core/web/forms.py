"""Forms of the web pages; their messages are shown in Chinese beside the field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=256)])


class PasswordForm(FlaskForm):
    old_password = PasswordField(_l("原密码"), validators=[DataRequired(_l("请输入原密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(max=256)])
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[DataRequired(_l("请再次输入新密码")), EqualTo("new_password", _l("两次输入的新密码不一致"))],
    )
