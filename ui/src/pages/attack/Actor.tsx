import { ComingSoon } from '../../ds'

export default function ActorPage() {
  return <ComingSoon title="Actor" summary="Under construction." />
}
