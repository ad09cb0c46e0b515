import { ComingSoon } from '../../ds'

export default function BoardPage() {
  return <ComingSoon title="Board" summary="Under construction." />
}
