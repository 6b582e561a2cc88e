"""The directory's version stamp: one row that every process reads to know its cache is current.

Why a row and not a message bus: any process (another bot, a console, a script) that changes who
is who bumps it in the same transaction as the change, so a reader can never see the change
committed and the old stamp (services/directory.py).
"""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DirectoryStamp(Base):
    __tablename__ = "directory_stamp"
    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(Integer, default=0)
