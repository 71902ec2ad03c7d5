"""Site folders made from other blogs' exports: `sitegen import wordpress EXPORT.xml SITE_DIR`.

wxr reads a WordPress export into plain values (the one module that imports lxml); wpshortcodes
turns WordPress shortcodes into HTML; wphtml turns WordPress HTML into Markdown (the one module
that imports markdownify); wpurls works out the site's time zone and URL patterns; wordpress
plans the files and writes them. Imports errors, models, urls, registry and config (file names
and the pattern check): never the build.
"""
