/**
 * Text from the server marks commands with backticks (`polett models pull …`); shown as code so
 * that they read as something to type.
 */
export function InlineCode({ text }: { text: string }) {
  return (
    <>{text.split('`').map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part))}</>
  );
}
