"""Read-only reference catalogues shared by every service: regions (行政区划) and industries (行业领域)."""

from hl_catalogue.industries import INDUSTRY_CATALOGUE, industry_code, industry_label, is_industry
from hl_catalogue.regions import LEVELS, Region, RegionCatalogue, RegionCatalogueError

__all__ = [
    "INDUSTRY_CATALOGUE",
    "LEVELS",
    "Region",
    "RegionCatalogue",
    "RegionCatalogueError",
    "industry_code",
    "industry_label",
    "is_industry",
]
