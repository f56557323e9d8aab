# Captures the two stages of every page Jekyll renders, for the differential
# suite (loaded by regen.sh with `jekyll build --plugins`):
#   <path>.liquid.md  the page after Liquid, before Markdown
#   <path>.html       the body after Markdown, before the layout
# <path> is the page's source path without its extension. The folder comes
# from DIFF_CAPTURE_DIR; nothing is written when it is unset.

module DiffCapture
  def self.write(page, suffix, text)
    dir = ENV["DIFF_CAPTURE_DIR"]
    return if dir.nil? || dir.empty?
    rel = page.relative_path.sub(/\.[^.\/]+\z/, "")
    path = File.join(dir, rel + suffix)
    FileUtils.mkdir_p(File.dirname(path))
    File.write(path, text)
  end

  # Renderer#convert receives the page after Liquid: that is the first stage.
  module Convert
    def convert(content)
      DiffCapture.write(document, ".liquid.md", content) if document.is_a?(Jekyll::Page)
      super
    end
  end
end

Jekyll::Renderer.prepend(DiffCapture::Convert)

Jekyll::Hooks.register :pages, :post_convert do |page|
  DiffCapture.write(page, ".html", page.content)
end
