/** A person's avatar: their uploaded picture, else their initials on a tinted disc (decorative: the name is beside it). */
export function UserAvatar({
  name,
  email,
  url,
  size = 32,
}: {
  name: string | null;
  email: string;
  url: string | null;
  size?: number;
}) {
  const style = { width: size, height: size, fontSize: Math.round(size * 0.4) };
  if (url) return <img className="avatar" src={url} alt="" width={size} height={size} style={style} />;
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const initials = (
    words.length > 1 ? `${words[0]![0]}${words.at(-1)![0]}` : (words[0] ?? email).slice(0, 2)
  ).toUpperCase();
  return (
    <span className="avatar initials" aria-hidden="true" style={style}>
      {initials}
    </span>
  );
}
