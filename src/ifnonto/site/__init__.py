"""The documentation site: `ifnonto docs -o DIR` builds static pages and figures from the release."""

from ifnonto.site.build import SiteReport, build_site

__all__ = ["build_site", "SiteReport"]
