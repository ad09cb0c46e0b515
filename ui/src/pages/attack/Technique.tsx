import { ComingSoon } from '../../ds'

export default function TechniquePage() {
  return <ComingSoon title="Technique" summary="Under construction." />
}
