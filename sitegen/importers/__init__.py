"""Site folders made from other blogs' exports: `sitegen import wordpress EXPORT.xml SITE_DIR`.

wxr reads a WordPress export into plain values (the one module that imports lxml); wpshortcodes
turns WordPress shortcodes into HTML; wphtml turns WordPress HTML into Markdown (the one module
that imports markdownify); wpurls works out the site's time zone and URL patterns, and where a
link to an old address leads now; wordpress plans the files and writes them. Imports errors,
models, urls, registry, config (file names and the pattern check) and sanitize (what a build
will clean, for the report): never the build.
"""
