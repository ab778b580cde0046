# What Ruby's netrc gem hands out for each host of each file: `ruby ask.rb DIR COUNT`.
# The protocol is in answer_lines.rs. The gem has no `account`, so that field is always `~`.
require 'netrc'

dir = ARGV.fetch(0)
count = Integer(ARGV.fetch(1))
hosts = File.readlines(File.join(dir, 'hosts'), chomp: true).map do |line|
  [line].pack('H*').force_encoding(Encoding::UTF_8)
end

def show(value)
  value.nil? ? '~' : 'x' + value.unpack1('H*')
end

count.times do |i|
  begin
    netrc = Netrc.read(File.join(dir, "#{i}.netrc"))
  rescue Netrc::Error, ArgumentError
    # "unexpected EOF", and the lexer's "invalid byte sequence in UTF-8".
    puts 'rejected'
    next
  end
  answers = hosts.map do |host|
    entry = netrc[host]
    entry.nil? ? '-' : "#{show(entry.login)},#{show(entry.password)},~"
  end
  puts answers.join(' ')
end
