"""Schemas of the catalogues: reporting units (regions) and industries."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RegionPublic(BaseModel):
    code: str = Field(description="GB/T 2260 code (2/4/6 digits), a 9-digit town code, or a zone's code")
    name: str
    parent_code: str
    level: str = Field(description="province, city, county, zone, town or unit")


class IndustryPublic(BaseModel):
    code: str
    label: str = Field(description="the Chinese label used on the official forms")
